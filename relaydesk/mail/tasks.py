"""Background work of the email channel: polling, sending, and picking up what was left."""

from django_tasks import task

from relaydesk.core.scheduler import periodic
from relaydesk.mail import ingest, outbound
from relaydesk.mail.models import Mailbox


@periodic("mail-poll-mailboxes", every_seconds=60)
@task()
def poll_mailboxes() -> int:
    """Enqueue one poll per active mailbox: they run in parallel on the workers."""
    ids = list(Mailbox.objects.filter(is_active=True).values_list("pk", flat=True))
    for pk in ids:
        poll_mailbox.enqueue(pk)
    return len(ids)


@task()
def poll_mailbox(mailbox_id: int) -> int:
    from relaydesk.mail.mailboxes import poll

    mailbox = Mailbox.objects.filter(pk=mailbox_id, is_active=True).first()
    return poll(mailbox).fetched if mailbox else 0


@task()
def send_outbound_mail(outbound_id: int) -> None:
    outbound.send(outbound_id)


@periodic("mail-send-retries", every_seconds=60)
@task()
def retry_outbound_mail() -> int:
    return outbound.retry_due()


@periodic("mail-retry-unprocessed", every_seconds=300)
@task()
def retry_unprocessed_mail() -> int:
    return ingest.retry_unprocessed()
