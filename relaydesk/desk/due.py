"""SLA due times as the desk shows them, and the "due soonest" ticket list.

The clocks themselves live in `relaydesk.sla` (computed there on every change); the desk only
reads them: one query for the clocks of a whole page of tickets, never one per row.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relaydesk.accounts.models import User
from relaydesk.core.pagination import BadCursor, Page, paginate
from relaydesk.sla.models import TicketClock
from relaydesk.tickets import queries
from relaydesk.tickets.models import Ticket

DUE_SORT = "due"

# Worst first: the list badge shows the worst state of a ticket's unmet targets.
STATES = ("breached", "warning", "paused", "ok", "met", "late")
STATE_LABELS = {
    "breached": _("Breached"),
    "warning": _("Due soon"),
    "paused": _("Paused"),
    "ok": _("On track"),
    "met": _("Met"),
    "late": _("Met late"),
}


@dataclass
class Target:
    """One SLA target of a ticket (first response or resolution) and where it stands."""

    label: str
    due: dt.datetime | None
    state: str
    done_at: dt.datetime | None = None

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass
class Due:
    """A ticket's SLA at a glance: its targets, the soonest unmet due time, the worst state."""

    clock: TicketClock
    targets: list[Target] = field(default_factory=list)

    @property
    def paused(self) -> bool:
        return self.clock.is_paused

    @property
    def due_at(self) -> dt.datetime | None:
        return self.clock.due_at

    @property
    def state(self) -> str:
        open_states = [t.state for t in self.targets if t.state not in ("met", "late")]
        if not open_states:
            return "met" if self.targets else ""
        return min(open_states, key=STATES.index)

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, "")


def _target_state(
    *, due, warn_at, warned_at, breached_at, done_at, paused: bool, now: dt.datetime
) -> str:
    if done_at is not None:
        return "late" if breached_at or (due and done_at > due) else "met"
    if breached_at is not None:
        return "breached"
    if paused:
        return "paused"  # due times move on by the paused time when the clock resumes
    if due is not None and now >= due:
        return "breached"  # the periodic checker has not flagged it yet
    if warned_at is not None or (warn_at is not None and now >= warn_at):
        return "warning"
    return "ok"


def due_for(clock: TicketClock | None, ticket: Ticket, now: dt.datetime | None = None):
    """What the desk shows of CLOCK (None for a ticket without SLA targets)."""
    if clock is None or (clock.response_due is None and clock.resolution_due is None):
        return None
    now = now or timezone.now()
    targets = []
    if clock.response_due is not None:
        targets.append(
            Target(
                _("First response"),
                clock.response_due,
                _target_state(
                    due=clock.response_due,
                    warn_at=clock.response_warn_at,
                    warned_at=clock.response_warned_at,
                    breached_at=clock.response_breached_at,
                    done_at=ticket.first_response_at,
                    paused=clock.is_paused,
                    now=now,
                ),
                ticket.first_response_at,
            )
        )
    if clock.resolution_due is not None:
        targets.append(
            Target(
                _("Resolution"),
                clock.resolution_due,
                _target_state(
                    due=clock.resolution_due,
                    warn_at=clock.resolution_warn_at,
                    warned_at=clock.resolution_warned_at,
                    breached_at=clock.resolution_breached_at,
                    done_at=ticket.resolved_at,
                    paused=clock.is_paused,
                    now=now,
                ),
                ticket.resolved_at,
            )
        )
    return Due(clock, targets)


def ticket_due(ticket: Ticket):
    """The SLA of one ticket (the ticket page): one query."""
    clock = TicketClock.objects.select_related("policy").filter(ticket=ticket).first()
    return due_for(clock, ticket)


def attach_due(tickets: list[Ticket], known: dict[int, TicketClock] | None = None) -> None:
    """Set `ticket.due` on each of TICKETS, reading the clocks not KNOWN in one query."""
    clocks = dict(known or {})
    missing = [t.id for t in tickets if t.id not in clocks]
    if missing:
        clocks.update((c.ticket_id, c) for c in TicketClock.objects.filter(ticket_id__in=missing))
    now = timezone.now()
    for ticket in tickets:
        ticket.due = due_for(clocks.get(ticket.id), ticket, now)


# --- "due soonest" ----------------------------------------------------------------------------

# A page of "due soonest" reads the running clocks in (due_at, id) order on the due_at index;
# when they run out it goes on with the tickets that have no due time (paused, no SLA, done)
# by last activity. The cursor says which of the two parts it points into.
_RUNNING, _REST = "d", "n"


def due_page(
    user: User, filters: queries.TicketFilter | None, cursor: str | None, size: int
) -> Page[Ticket]:
    """One page of the tickets USER may see, soonest due first, the rest after (nulls last).

    Raises BadCursor. Every ticket of the page carries `.due`; at most three queries.
    """
    base = queries.visible_tickets(user)
    if filters:
        base = filters.apply(base)
    part, _sep, inner = (cursor or _RUNNING).partition(".")
    if part not in (_RUNNING, _REST):
        raise BadCursor("cursor is not valid")
    inner = inner or None
    tickets: list[Ticket] = []
    known: dict[int, TicketClock] = {}
    if part == _RUNNING:
        clocks = TicketClock.objects.filter(due_at__isnull=False, ticket__in=base).select_related(
            "ticket__queue",
            "ticket__requester",
            "ticket__assignee",
            "ticket__ticket_type",
            "ticket__organization",
        )
        running = paginate(clocks, ("due_at", "id"), inner, size)
        tickets = [c.ticket for c in running.items]
        known = {c.ticket_id: c for c in running.items}
        if running.has_next:
            attach_due(tickets, known)
            return Page(tickets, f"{_RUNNING}.{running.next_cursor}")
        inner = None
    rest_qs = queries.with_list_columns(base.filter(sla_clock__due_at__isnull=True))
    remaining = size - len(tickets)
    next_cursor = None
    if remaining > 0:
        rest = paginate(rest_qs, queries.SORTS["updated"], inner, remaining)
        tickets += rest.items
        if rest.has_next:
            next_cursor = f"{_REST}.{rest.next_cursor}"
    elif rest_qs.exists():
        next_cursor = f"{_REST}."
    attach_due(tickets, known)
    return Page(tickets, next_cursor)
