from django_tasks import task

from relaydesk.core.events import handler_by_path


@task()
def deliver_event(subscriber_path: str, payload: dict) -> None:
    """Run one subscriber for one event, in the worker."""
    handler_by_path(subscriber_path)(payload)
