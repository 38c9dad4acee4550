"""Reactions of the tickets app to its own events."""

from relaydesk.core import search
from relaydesk.core.events import subscribe
from relaydesk.tickets.models import Message, Ticket


def _changes_indexed_text(payload: dict) -> bool:
    # Only the subject of a ticket's fields is indexed: a new queue or priority needs no work.
    return payload["event"] != "ticket.updated" or "subject" in payload.get("fields", ())


@subscribe("ticket.created", "ticket.updated", "message.posted", applies=_changes_indexed_text)
def index_ticket_for_search(payload: dict) -> None:
    """Keep the full-text index of a ticket (reference, subject, every message) current."""
    reindex(payload["ticket_id"])


def reindex(ticket_id: int) -> None:
    ticket = Ticket.objects.filter(id=ticket_id).only("id", "number", "subject").first()
    if ticket is None:
        search.remove_ticket(ticket_id)
        return
    texts = Message.objects.filter(ticket_id=ticket_id).order_by("id")
    body = "\n".join(texts.values_list("body_text", flat=True))
    search.index_ticket(ticket_id, f"{ticket.reference} {ticket.subject}", body)
