from django_tasks import task

from relaydesk.automation.leases import run_once_per_slot
from relaydesk.automation.services import run_scheduled_rules
from relaydesk.core.scheduler import periodic

SCHEDULED_RULES_EVERY_SECONDS = 300


@periodic("scheduled-rules", every_seconds=SCHEDULED_RULES_EVERY_SECONDS)
@task()
def scheduled_rules() -> None:
    """Run scheduled rules; with several schedulers, once per five-minute slot."""
    run_once_per_slot("scheduled-rules", SCHEDULED_RULES_EVERY_SECONDS, run_scheduled_rules)
