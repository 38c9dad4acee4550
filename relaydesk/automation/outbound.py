"""The actions that reach outside: email the customer, call a webhook. Both run as tasks
after commit, so a slow mail server or a dead webhook never blocks the change."""

import json
import logging
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django_tasks import task

from relaydesk.routing import actions
from relaydesk.routing.models import ActionBase
from relaydesk.tickets.models import Ticket

logger = logging.getLogger(__name__)
WEBHOOK_TIMEOUT_SECONDS = 10


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


@task()
def call_webhook(url: str, payload: dict) -> None:
    if not url.startswith(("http://", "https://")):
        logger.warning("webhook %r is not http(s); not called", url)
        return
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "Relaydesk"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
        response.read(1024)


def _email(ticket: Ticket, value: str, rule: str) -> None:
    transaction.on_commit(lambda: email_customer.enqueue(ticket.id, value))


def _webhook(ticket: Ticket, value: str, rule: str) -> None:
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
    transaction.on_commit(lambda: call_webhook.enqueue(value.strip(), payload))


actions.extra_handlers[ActionBase.Kind.EMAIL_CUSTOMER] = _email
actions.extra_handlers[ActionBase.Kind.WEBHOOK] = _webhook
