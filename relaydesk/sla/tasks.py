from django_tasks import task

from relaydesk.automation.leases import run_once_per_slot
from relaydesk.core.scheduler import periodic
from relaydesk.sla import clocks

CHECK_EVERY_SECONDS = 60


@periodic("sla-check", every_seconds=CHECK_EVERY_SECONDS)
@task()
def check_sla() -> None:
    """Flag SLA warnings and breaches; with several schedulers it runs once a minute."""
    run_once_per_slot("sla-check", CHECK_EVERY_SECONDS, clocks.check_due)
