from django_tasks import task

from relaydesk.accounts import throttle
from relaydesk.core.scheduler import periodic


@periodic("prune-login-failures", every_seconds=3600)
@task()
def prune_login_failures() -> None:
    """Keep the failed sign-ins table small; the throttle only reads its last window."""
    throttle.prune()
