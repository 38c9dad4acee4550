from django.core.management import call_command
from django_tasks import task

from relaydesk.core.events import handler_by_path
from relaydesk.core.scheduler import periodic


@task()
def deliver_event(subscriber_path: str, payload: dict) -> None:
    """Run one subscriber for one event, in the worker."""
    handler_by_path(subscriber_path)(payload)


@periodic("prune-task-results", every_seconds=3600)
@task()
def prune_task_results() -> None:
    """Keep the task table small: finished results go after 7 days, failed ones after 30."""
    call_command("prune_db_task_results", min_age_days=7, failed_min_age_days=30, verbosity=0)
