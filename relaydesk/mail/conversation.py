"""Threading: which ticket a mail belongs to (subject tag, then In-Reply-To / References)."""

import re

from django.conf import settings

from relaydesk.mail.models import InboundMail, OutboundMail
from relaydesk.mail.parse import ParsedMail
from relaydesk.tickets.models import Ticket


def tag_pattern() -> re.Pattern:
    return re.compile(r"\[" + re.escape(settings.TICKET_PREFIX) + r"-(\d{1,18})\]", re.IGNORECASE)


def ticket_for_tag(text: str) -> Ticket | None:
    match = tag_pattern().search(text or "")
    if not match:
        return None
    return Ticket.objects.filter(number=int(match.group(1))).first()


def ticket_for_message_ids(ids: list[str]) -> Ticket | None:
    """The ticket of the newest known message among IDS (a mail we sent or stored)."""
    if not ids:
        return None
    ids = list(dict.fromkeys(ids))[-50:]
    sent = OutboundMail.objects.filter(mail_id__in=ids).values_list("mail_id", "ticket_id")
    received = InboundMail.objects.filter(mail_id__in=ids, ticket__isnull=False).values_list(
        "mail_id", "ticket_id"
    )
    found = dict(sent) | dict(received)
    for message_id in reversed(ids):  # In-Reply-To and the end of References are the newest
        if message_id in found:
            return Ticket.objects.filter(id=found[message_id]).first()
    return None


def find_ticket(parsed: ParsedMail) -> Ticket | None:
    return ticket_for_tag(parsed.subject) or ticket_for_message_ids(
        parsed.references + parsed.in_reply_to
    )


def thread_ids(ticket: Ticket, before: OutboundMail | None = None) -> tuple[str, list[str]]:
    """(In-Reply-To, References) for a mail we send on TICKET (BEFORE: that mail itself)."""
    received = InboundMail.objects.filter(ticket=ticket).values_list("mail_id", "received_at")
    sent = OutboundMail.objects.filter(ticket=ticket).exclude(
        status=OutboundMail.Status.FAILED)  # fmt: skip
    if before is not None:
        sent = sent.filter(id__lt=before.id)
        received = received.filter(received_at__lte=before.created_at)
    rows = [*received.order_by("-received_at")[:100],
            *sent.order_by("-id").values_list("mail_id", "created_at")[:100]]  # fmt: skip
    ordered = [mid for mid, _at in sorted(rows, key=lambda r: r[1])]
    if not ordered:
        return "", []
    references = ordered[:1] + ordered[1:][-9:]
    return ordered[-1], references
