"""Ticket statuses: which moves are allowed, and for whom. The one place that decides."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from relaydesk.tickets.models import Ticket

S = Ticket.Status

# Moves an agent may make.
AGENT_TRANSITIONS: dict[str, set[str]] = {
    S.NEW: {S.IN_PROGRESS, S.WAITING, S.RESOLVED, S.CLOSED},
    S.IN_PROGRESS: {S.WAITING, S.RESOLVED, S.CLOSED},
    S.WAITING: {S.IN_PROGRESS, S.RESOLVED, S.CLOSED},
    S.FEEDBACK: {S.IN_PROGRESS, S.WAITING, S.RESOLVED, S.CLOSED},
    S.RESOLVED: {S.IN_PROGRESS, S.FEEDBACK, S.CLOSED},
    S.CLOSED: {S.FEEDBACK},
}

# Moves a customer may make on its own ticket: close it, or reopen it.
CUSTOMER_TRANSITIONS: dict[str, set[str]] = {
    S.NEW: {S.CLOSED},
    S.IN_PROGRESS: {S.CLOSED},
    S.WAITING: {S.CLOSED},
    S.FEEDBACK: {S.CLOSED},
    S.RESOLVED: {S.CLOSED, S.FEEDBACK},
    S.CLOSED: {S.FEEDBACK},
}


def reopen_window() -> timedelta:
    return timedelta(days=settings.REOPEN_WINDOW_DAYS)


def can_reopen(ticket: Ticket, now=None) -> bool:
    """A closed ticket may be reopened only within the reopen window."""
    if ticket.status != S.CLOSED:
        return ticket.status == S.RESOLVED
    closed_at = ticket.closed_at or ticket.updated_at
    return (now or timezone.now()) - closed_at <= reopen_window()


def allowed_statuses(ticket: Ticket, *, as_customer: bool) -> list[str]:
    table = CUSTOMER_TRANSITIONS if as_customer else AGENT_TRANSITIONS
    allowed = set(table.get(ticket.status, set()))
    if ticket.status == S.CLOSED and not can_reopen(ticket):
        allowed.discard(S.FEEDBACK)
    return [s for s in S.values if s in allowed]


def status_after_customer_reply(ticket: Ticket) -> str | None:
    """Where a customer's reply moves the ticket; None means 'open a follow-up instead'."""
    if ticket.status == S.WAITING:
        return S.IN_PROGRESS
    if ticket.status == S.RESOLVED:
        return S.FEEDBACK
    if ticket.status == S.CLOSED:
        return S.FEEDBACK if can_reopen(ticket) else None
    return ticket.status
