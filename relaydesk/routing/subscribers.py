"""Routing reacts to new tickets synchronously, so no ticket is ever seen unrouted."""

from relaydesk.core.events import subscribe
from relaydesk.routing.engine import route_new_ticket


@subscribe("ticket.created", sync=True)
def route_ticket(payload: dict) -> None:
    route_new_ticket(payload["ticket_id"], payload.get("message_id"))
