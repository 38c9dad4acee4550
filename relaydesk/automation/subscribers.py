from django.db import transaction
from django_tasks import task

from relaydesk.automation import outbound  # noqa: F401  (registers email and webhook actions)
from relaydesk.automation.models import Trigger
from relaydesk.automation.triggers import run_triggers, trigger_cache
from relaydesk.core.events import subscribe


@task()
def fire_triggers(payload: dict) -> None:
    run_triggers(payload)


@subscribe(*Trigger.On.values, sync=True)
def schedule_triggers(payload: dict) -> None:
    """Enqueue the trigger run after commit, only when a trigger listens to this event (and
    the event was not caused by automation itself)."""
    if payload.get("rule") or not trigger_cache.get().get(payload["event"]):
        return
    transaction.on_commit(lambda: fire_triggers.enqueue(payload))
