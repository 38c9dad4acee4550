"""Threading: which ticket a mail belongs to (subject tag, then In-Reply-To / References)."""

import re

from django.conf import settings
from django.db import connections, router

from relaydesk.core import fastsql
from relaydesk.mail.models import InboundMail, OutboundMail
from relaydesk.mail.parse import ParsedMail
from relaydesk.tickets.models import Ticket


def tag_pattern() -> re.Pattern:
    return re.compile(r"\[" + re.escape(settings.TICKET_PREFIX) + r"-(\d{1,18})\]", re.IGNORECASE)


def ticket_for_tag(text: str) -> Ticket | None:
    match = tag_pattern().search(text or "")
    if not match:
        return None
    return fastsql.select_one(Ticket, "number", int(match.group(1)))


def ticket_for_message_ids(ids: list[str]) -> Ticket | None:
    """The ticket of the newest known message among IDS (a mail we sent or stored)."""
    if not ids:
        return None
    ids = list(dict.fromkeys(ids))[-50:]
    found = _ticket_ids(ids)
    for message_id in reversed(ids):  # In-Reply-To and the end of References are the newest
        if message_id in found:
            return fastsql.select_one(Ticket, "id", found[message_id])
    return None


def _ticket_ids(ids: list[str]) -> dict[str, int]:
    """Message-ID -> ticket id for those of IDS we sent or received (received ones win).

    One hand-written statement for both tables: every reply asks, and the ORM spends far
    longer building two queries than the database takes to answer them on the unique
    mail_id indexes.
    """
    connection = connections[router.db_for_read(InboundMail)]
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        f"SELECT mail_id, ticket_id, 0 FROM {quote(OutboundMail._meta.db_table)} "  # noqa: S608
        f"WHERE mail_id IN ({marks}) UNION ALL "
        f"SELECT mail_id, ticket_id, 1 FROM {quote(InboundMail._meta.db_table)} "
        f"WHERE mail_id IN ({marks}) AND ticket_id IS NOT NULL"
    )  # table names from the models; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, *ids])
        rows = cursor.fetchall()
    return {
        mail_id: ticket_id for mail_id, ticket_id, _received in sorted(rows, key=lambda r: r[2])
    }


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
