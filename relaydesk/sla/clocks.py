"""Each ticket's SLA clock: choose the policy, compute due times, pause, check for breaches.

Due times are `start + target + business time spent paused`, counted in the policy's
calendar, so pausing (waiting for the customer, resolved) and resuming only adds the paused
business time and recomputes. The periodic checker looks at clocks whose `next_check_at`
has come, flags warnings and breaches once, publishes `sla.warning` / `sla.breached` and
runs the policy's actions as the system.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from relaydesk.core import events, fastsql
from relaydesk.routing.rules import VersionedCache
from relaydesk.sla.calendar import ROUND_THE_CLOCK, Schedule
from relaydesk.sla.models import (
    BusinessCalendar,
    Holiday,
    SlaAction,
    SlaPolicy,
    TicketClock,
    WorkingHours,
)
from relaydesk.tickets import services
from relaydesk.tickets.models import Ticket

logger = logging.getLogger(__name__)
Status = Ticket.Status
PAUSED_STATUSES = (Status.WAITING, Status.RESOLVED, Status.CLOSED)


@dataclass
class Policies:
    policies: list[SlaPolicy]
    schedules: dict[int, Schedule]
    actions: dict[int, list[SlaAction]]

    def schedule(self, policy: SlaPolicy | None) -> Schedule:
        if policy is None or policy.calendar_id is None:
            return ROUND_THE_CLOCK
        return self.schedules.get(policy.calendar_id, ROUND_THE_CLOCK)

    def by_id(self, policy_id: int | None) -> SlaPolicy | None:
        return next((p for p in self.policies if p.id == policy_id), None)


def schedule_for(calendar: BusinessCalendar) -> Schedule:
    hours: dict[int, list[tuple[int, int]]] = {}
    for row in calendar.hours.all():
        hours.setdefault(row.weekday, []).append(row.minutes())
    return Schedule.build(
        calendar.time_zone,
        hours,
        [h.date for h in calendar.holidays.all()],
        country=calendar.country.upper(),
        subdivision=calendar.subdivision,
    )


def _load() -> Policies:
    policies = list(SlaPolicy.objects.filter(is_active=True).order_by("position", "id"))
    calendars = BusinessCalendar.objects.prefetch_related("hours", "holidays")
    actions: dict[int, list[SlaAction]] = {}
    for action in SlaAction.objects.all():
        actions.setdefault(action.policy_id, []).append(action)
    return Policies(policies, {c.id: schedule_for(c) for c in calendars}, actions)


policy_cache = VersionedCache("sla-policies-version", _load)
policy_cache.invalidate_on_change_of(SlaPolicy, SlaAction, BusinessCalendar, WorkingHours, Holiday)


def choose_policy(ticket: Ticket, policies: list[SlaPolicy]) -> SlaPolicy | None:
    for policy in policies:
        if policy.priority is not None and policy.priority != ticket.priority:
            continue
        if policy.ticket_type_id is not None and policy.ticket_type_id != ticket.ticket_type_id:
            continue
        if policy.organization_id is not None and policy.organization_id != ticket.organization_id:
            continue
        if policy.queue_id is not None and policy.queue_id != ticket.queue_id:
            continue
        return policy
    return None


def _minutes(n: int) -> dt.timedelta:
    return dt.timedelta(minutes=n)


def compute(clock: TicketClock, ticket: Ticket, cache: Policies) -> None:
    """Fill due, warning and next-check times from the policy, the pause and the ticket."""
    policy = cache.by_id(clock.policy_id)
    schedule = cache.schedule(policy)
    paused = dt.timedelta(seconds=clock.paused_seconds)
    clock.response_due = clock.response_warn_at = None
    clock.resolution_due = clock.resolution_warn_at = None
    if policy is not None:
        warn = _minutes(policy.warning_minutes)
        for target, due_name, warn_name in (
            (policy.first_response_minutes, "response_due", "response_warn_at"),
            (policy.resolution_minutes, "resolution_due", "resolution_warn_at"),
        ):
            if target:
                total = _minutes(target)
                setattr(clock, due_name, schedule.add(clock.started_at, total + paused))
                setattr(
                    clock,
                    warn_name,
                    schedule.add(clock.started_at, max(total - warn, dt.timedelta(0)) + paused),
                )
    _schedule_checks(clock, ticket)


def _pending(clock: TicketClock, ticket: Ticket) -> list[tuple[str, str, dt.datetime]]:
    """(target, moment, when) of what is still to come, for a running clock."""
    out = []
    if clock.response_due and not ticket.first_response_at and not clock.response_breached_at:
        if not clock.response_warned_at:
            out.append(("first_response", "warning", clock.response_warn_at))
        out.append(("first_response", "breach", clock.response_due))
    if clock.resolution_due and not ticket.resolved_at and not clock.resolution_breached_at:
        if not clock.resolution_warned_at:
            out.append(("resolution", "warning", clock.resolution_warn_at))
        out.append(("resolution", "breach", clock.resolution_due))
    return out


def _schedule_checks(clock: TicketClock, ticket: Ticket) -> None:
    if clock.paused_since is not None or ticket.status in PAUSED_STATUSES:
        clock.next_check_at = clock.due_at = None
        return
    pending = _pending(clock, ticket)
    clock.next_check_at = min((when for *_x, when in pending), default=None)
    dues = []
    if clock.response_due and not ticket.first_response_at:
        dues.append(clock.response_due)
    if clock.resolution_due:
        dues.append(clock.resolution_due)
    clock.due_at = min(dues, default=None)


def start_clock(ticket: Ticket) -> TicketClock:
    cache = policy_cache.get()
    policy = choose_policy(ticket, cache.policies)
    clock = TicketClock(ticket=ticket, policy=policy, started_at=ticket.created_at)
    compute(clock, ticket, cache)
    fastsql.insert([clock])
    return clock


def refresh(ticket: Ticket, *, now: dt.datetime | None = None, repick: bool = False) -> None:
    """Bring the clock up to date after a change: status (pause/resume), reply, fields."""
    now = now or timezone.now()
    clock = fastsql.select_one(TicketClock, "ticket", ticket.id, for_update=True)
    if clock is None:
        start_clock(ticket)
        return
    cache = policy_cache.get()
    if repick:
        policy = choose_policy(ticket, cache.policies)
        clock.policy_id = policy.id if policy else None
    should_pause = ticket.status in PAUSED_STATUSES
    if should_pause and clock.paused_since is None:
        clock.paused_since = now
    elif not should_pause and clock.paused_since is not None:
        schedule = cache.schedule(cache.by_id(clock.policy_id))
        clock.paused_seconds += int(schedule.between(clock.paused_since, now).total_seconds())
        clock.paused_since = None
    compute(clock, ticket, cache)
    fastsql.update(clock, _STATE_FIELDS)


# Everything refresh() may change: the whole row but its ticket.
_STATE_FIELDS = [
    f.name for f in TicketClock._meta.concrete_fields if not f.primary_key and f.name != "ticket"
]


# --- the periodic check ---------------------------------------------------------------------


def check_due(now: dt.datetime | None = None, limit: int = 500) -> int:
    """Flag warnings and breaches that have come; return how many were flagged."""
    now = now or timezone.now()
    ids = list(
        TicketClock.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("id", flat=True)[:limit]
    )
    flagged = 0
    for clock_id in ids:
        with transaction.atomic():
            flagged += _check_one(clock_id, now)
    return flagged


def _check_one(clock_id: int, now: dt.datetime) -> int:
    clock = (
        TicketClock.objects.select_for_update()
        .select_related("ticket", "ticket__queue")
        .filter(id=clock_id, next_check_at__lte=now)
        .first()
    )
    if clock is None:
        return 0  # another checker got there first
    ticket = clock.ticket
    cache = policy_cache.get()
    policy = cache.by_id(clock.policy_id)
    crossed = [(t, m) for t, m, when in _pending(clock, ticket) if when and when <= now]
    for target, moment in crossed:
        prefix = "response" if target == "first_response" else "resolution"
        field = f"{prefix}_warned_at" if moment == "warning" else f"{prefix}_breached_at"
        setattr(clock, field, now)
        if moment == "breach" and not getattr(clock, f"{prefix}_warned_at"):
            setattr(clock, f"{prefix}_warned_at", now)
    _schedule_checks(clock, ticket)
    clock.save()
    for target, moment in crossed:
        name = "sla.warning" if moment == "warning" else "sla.breached"
        events.publish(
            name,
            {
                "ticket_id": ticket.id,
                "number": ticket.number,
                "target": target,
                "policy": policy.name if policy else "",
            },
        )
        if policy is not None:
            _run_actions(ticket, policy, cache.actions.get(policy.id, []), target, moment)
    return len(crossed)


def _run_actions(ticket, policy, actions, target, moment) -> None:
    wanted = SlaAction.Moment.WARNING if moment == "warning" else SlaAction.Moment.BREACH
    for action in actions:
        if action.moment != wanted or action.target not in ("any", target):
            continue
        rule = f"SLA {policy.name}: {target.replace('_', ' ')} {moment}"
        try:
            with transaction.atomic(), services.acting_rule(rule):
                if action.kind == SlaAction.Kind.RAISE_PRIORITY:
                    if ticket.priority < Ticket.Priority.URGENT:
                        services.update_ticket(ticket, actor=None, priority=ticket.priority + 1)
                elif action.kind == SlaAction.Kind.ESCALATE_TIER:
                    if ticket.tier < 4:
                        services.escalate(ticket, actor=None, reason=rule)
                elif action.kind in (
                    SlaAction.Kind.NOTIFY_ASSIGNEE,
                    SlaAction.Kind.NOTIFY_SUPERVISORS,
                ):
                    events.publish(
                        "sla.notify",
                        {
                            "ticket_id": ticket.id,
                            "number": ticket.number,
                            "target": target,
                            "moment": moment,
                            "who": action.kind,
                            "policy": policy.name,
                        },
                    )
        except Exception:
            logger.exception("SLA action %s failed on ticket %s", action.kind, ticket.id)
