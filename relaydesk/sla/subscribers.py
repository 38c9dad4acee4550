"""SLA clocks follow the ticket inside the transaction that changes it (cheap: one row)."""

from relaydesk.core.events import subscribe
from relaydesk.routing.engine import routing_ticket
from relaydesk.sla import clocks
from relaydesk.tickets import services
from relaydesk.tickets.models import Ticket

POLICY_FIELDS = {"priority", "ticket_type", "queue"}


def _current(ticket_id: int) -> Ticket | None:
    # The service's own object when there is one (it is current); else the row.
    return services.ticket_at_hand(ticket_id) or Ticket.objects.filter(id=ticket_id).first()


def _ticket(payload: dict) -> Ticket | None:
    if routing_ticket.get() == payload["ticket_id"]:
        return None  # still being routed: start_clock runs next, on the final state
    return _current(payload["ticket_id"])


@subscribe("ticket.created", sync=True)
def start_clock(payload: dict) -> None:
    ticket = _current(payload["ticket_id"])
    if ticket is not None:
        clocks.start_clock(ticket)


@subscribe("ticket.status_changed", "message.posted", sync=True)
def follow_ticket(payload: dict) -> None:
    ticket = _ticket(payload)
    if ticket is not None:
        clocks.refresh(ticket)


@subscribe("ticket.updated", sync=True)
def repick_policy(payload: dict) -> None:
    if POLICY_FIELDS & set(payload.get("fields", [])):
        ticket = _ticket(payload)
        if ticket is not None:
            clocks.refresh(ticket, repick=True)
