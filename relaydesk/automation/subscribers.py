from django_tasks import task

from relaydesk.automation import outbound  # noqa: F401  (registers email and webhook actions)
from relaydesk.automation.models import Trigger
from relaydesk.automation.triggers import run_triggers, trigger_cache
from relaydesk.core.events import subscribe


def _listened_to(payload: dict) -> bool:
    """Only when a trigger listens to this event, and automation itself did not cause it."""
    return not payload.get("rule") and bool(trigger_cache.get().get(payload["event"]))


@subscribe(*Trigger.On.values, applies=_listened_to)
def run_event_triggers(payload: dict) -> None:
    """Run the triggers of this event, in the worker after commit."""
    run_triggers(payload)


@task()
def fire_triggers(payload: dict) -> None:
    """Kept for tasks queued before triggers became a deferred subscriber."""
    run_triggers(payload)
