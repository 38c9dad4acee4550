"""Polling mailboxes: one task per mailbox, so a slow server or a huge message delays only
its own mailbox. Each message is stored (committed) before it is marked or removed on the
server, so a crash in between means a second download, which Message-ID makes harmless."""

import logging
import ssl
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from relaydesk.mail.models import Mailbox

logger = logging.getLogger(__name__)
BATCH = 100  # messages per poll; the rest come next poll
TIMEOUT = 60
STALE_LOCK = timedelta(minutes=30)


@dataclass
class PollResult:
    mailbox: str
    fetched: int = 0
    errors: list[str] = field(default_factory=list)
    skipped: bool = False


def tls_context() -> ssl.SSLContext:
    # Verifies certificates against the system store (or SSL_CERT_FILE).
    return ssl.create_default_context()


def poll(mailbox: Mailbox) -> PollResult:
    """Fetch new mail from MAILBOX unless another worker is polling it right now."""
    now = timezone.now()
    claimed = Mailbox.objects.filter(pk=mailbox.pk, is_active=True).filter(
        polling_since__isnull=True
    ) | Mailbox.objects.filter(pk=mailbox.pk, is_active=True, polling_since__lt=now - STALE_LOCK)
    if not claimed.update(polling_since=now):
        return PollResult(mailbox.name, skipped=True)
    result = PollResult(mailbox.name)
    try:
        if mailbox.protocol == Mailbox.Protocol.POP3:
            from relaydesk.mail.mailboxes.pop3 import fetch
        else:
            from relaydesk.mail.mailboxes.imap import fetch
        fetch(mailbox, result)
    except Exception as exc:
        logger.warning("polling mailbox %s failed: %s", mailbox.name, exc)
        result.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        Mailbox.objects.filter(pk=mailbox.pk).update(
            polling_since=None, last_polled_at=timezone.now(),
            last_error="\n".join(result.errors)[:4000],
        )  # fmt: skip
    return result
