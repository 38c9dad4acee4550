"""The actions that reach outside: email the customer, call a webhook. Both run as tasks
after commit, so a slow mail server or a dead webhook never blocks the change."""

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from relaydesk.routing import actions
from relaydesk.routing.models import ActionBase
from relaydesk.tickets.models import Ticket

logger = logging.getLogger(__name__)
WEBHOOK_TIMEOUT_SECONDS = 10
# Seconds to wait before attempt 2, 3, 4 and 5; after the fifth failure the call is dropped.
WEBHOOK_RETRY_DELAYS = (60, 300, 1800, 7200)
SIGNATURE_HEADER = "X-Relaydesk-Signature"
TIMESTAMP_HEADER = "X-Relaydesk-Timestamp"


def split_template(text: str, ticket: Ticket) -> tuple[str, str]:
    """First line is the subject, the rest the body; both with placeholders filled."""
    first, _sep, rest = (text or "").strip().partition("\n")
    return actions.render(first.strip(), ticket), actions.render(rest.strip(), ticket)


@task()
def email_customer(ticket_id: int, template: str) -> None:
    ticket = Ticket.objects.select_related("requester", "queue", "assignee").get(id=ticket_id)
    subject, body = split_template(template, ticket)
    send_mail(
        f"[{ticket.reference}] {subject}",
        body,
        settings.DEFAULT_FROM_EMAIL,
        [ticket.requester.email],
    )


def sign(secret: str, body: bytes) -> str:
    """The X-Relaydesk-Signature value: `sha256=` and the hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_request(url: str, payload: dict, secret: str, now: int) -> urllib.request.Request:
    """The signed POST. The timestamp is in a header and, signed, in the body, so a receiver
    can refuse stale or replayed calls."""
    body = json.dumps({**payload, "sent_at": now}).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Relaydesk",
        TIMESTAMP_HEADER: str(now),
    }
    if secret:
        headers[SIGNATURE_HEADER] = sign(secret, body)
    return urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310


def _worth_retrying(exc: Exception) -> bool:
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code >= 500 or exc.code in (408, 429)  # the receiver's fault, or busy
    return True  # refused, unreachable, timed out


@task()
def call_webhook(url: str, payload: dict, secret: str = "", attempt: int = 1) -> None:
    """POST PAYLOAD to URL, signed with SECRET; on failure try again later (in the queue)."""
    if not url.startswith(("http://", "https://")):
        logger.warning("webhook %r is not http(s); not called", url)
        return
    request = webhook_request(url, payload, secret, int(time.time()))
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310 (scheme checked)
            response.read(1024)
    except (OSError, ValueError) as exc:  # URLError and HTTPError are OSErrors; so are timeouts
        if attempt > len(WEBHOOK_RETRY_DELAYS) or not _worth_retrying(exc):
            logger.error("webhook %s failed for good (attempt %d): %s", url, attempt, exc)
            raise
        delay = WEBHOOK_RETRY_DELAYS[attempt - 1]
        logger.warning("webhook %s failed (attempt %d), again in %ds: %s", url, attempt, delay, exc)
        retry = call_webhook
        if call_webhook.get_backend().supports_defer:
            retry = call_webhook.using(run_after=timezone.now() + dt.timedelta(seconds=delay))
        retry.enqueue(url, payload, secret, attempt + 1)


def _email(ticket: Ticket, value: str, rule: str, secret: str = "") -> None:
    transaction.on_commit(lambda: email_customer.enqueue(ticket.id, value))


def _webhook(ticket: Ticket, value: str, rule: str, secret: str = "") -> None:
    payload = {
        "rule": rule,
        "ticket": ticket.number,
        "reference": ticket.reference,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "queue": ticket.queue.slug,
        "tier": ticket.tier,
    }
    transaction.on_commit(lambda: call_webhook.enqueue(value.strip(), payload, secret))


actions.extra_handlers[ActionBase.Kind.EMAIL_CUSTOMER] = _email
actions.extra_handlers[ActionBase.Kind.WEBHOOK] = _webhook
