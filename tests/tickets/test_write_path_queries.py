"""The write path stays cheap: visibility known without a query when it is obvious, one UPDATE
when taking a New ticket, and the same audit trail and events as before."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relaydesk.core import events
from relaydesk.tickets import services
from relaydesk.tickets.models import Event, Ticket

seen: list[str] = []


def record(payload: dict) -> None:
    seen.append(payload["event"])


def _sql(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries]


def test_requester_reply_needs_no_visibility_query(ticket, customer):
    with CaptureQueriesContext(connection) as ctx:
        services.post_message(ticket, actor=customer, body="Any news?", channel="web")
    assert not any("tickets_ticketshare" in sql for sql in _sql(ctx))
    assert ticket.messages.count() == 2


def test_others_are_still_asked_of_the_database(ticket, other_customer, customer):
    with pytest.raises(PermissionDenied):
        services.post_message(ticket, actor=other_customer, body="Hi", channel="web")
    customer.is_active = False
    customer.save()
    with pytest.raises(PermissionDenied):  # a disabled requester sees nothing
        services.post_message(ticket, actor=customer, body="Hi", channel="web")


def test_taking_a_new_ticket_is_one_update_with_both_audit_rows(ticket, agent):
    saved = {name: list(subs) for name, subs in events._subscribers.items()}
    seen.clear()
    events.subscribe("ticket.assigned", "ticket.status_changed", sync=True)(record)
    try:
        with CaptureQueriesContext(connection) as ctx:
            services.assign(ticket, actor=agent, assignee=agent)
    finally:
        events._subscribers.clear()
        events._subscribers.update(saved)
    updates = [sql for sql in _sql(ctx) if sql.startswith('UPDATE "tickets_ticket"')]
    assert len(updates) == 1
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (agent, Ticket.Status.IN_PROGRESS)
    rows = list(ticket.events.exclude(kind=Event.Kind.CREATED).order_by("id"))
    assert [(e.kind, e.old_value, e.new_value) for e in rows] == [
        (Event.Kind.ASSIGNED, "", str(agent)),
        (Event.Kind.STATUS, Ticket.Status.NEW, Ticket.Status.IN_PROGRESS),
    ]
    assert all(e.actor_id == agent.id for e in rows)
    assert seen == ["ticket.assigned", "ticket.status_changed"]
