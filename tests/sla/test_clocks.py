import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from relaydesk.sla import clocks
from relaydesk.sla.models import BusinessCalendar, SlaAction, SlaPolicy, TicketClock
from relaydesk.tickets import services
from relaydesk.tickets.models import Event, Ticket

H = dt.timedelta(hours=1)
Status = Ticket.Status


@pytest.fixture
def policy(db):
    p = SlaPolicy.objects.create(
        name="Standard",
        position=2,
        first_response_minutes=60,
        resolution_minutes=8 * 60,
        warning_minutes=15,
    )
    return p


@pytest.fixture
def urgent_policy(db):
    return SlaPolicy.objects.create(
        name="Urgent", position=1, priority=4, first_response_minutes=15, resolution_minutes=120
    )


def at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_new_ticket_gets_the_first_matching_policy(policy, urgent_policy, make_ticket):
    normal = make_ticket()
    urgent = make_ticket(priority=4)
    assert normal.sla_clock.policy == policy
    assert normal.sla_clock.response_due == normal.created_at + H
    assert normal.sla_clock.resolution_due == normal.created_at + 8 * H
    assert normal.sla_clock.response_warn_at == normal.created_at + dt.timedelta(minutes=45)
    assert urgent.sla_clock.policy == urgent_policy
    assert urgent.sla_clock.due_at == urgent.created_at + dt.timedelta(minutes=15)


def test_business_calendar_is_used(db, make_ticket):
    cal = BusinessCalendar.objects.create(name="Berlin", time_zone="Europe/Berlin")
    for day in range(5):
        cal.hours.create(weekday=day, start=dt.time(9), end=dt.time(17))
    SlaPolicy.objects.create(name="Office", calendar=cal, resolution_minutes=120)
    friday_4pm = dt.datetime(2025, 3, 7, 15, tzinfo=dt.UTC)
    with at(friday_4pm):
        ticket = make_ticket()
    assert ticket.sla_clock.resolution_due == dt.datetime(2025, 3, 10, 9, tzinfo=dt.UTC)


def test_priority_change_repicks_the_policy(policy, urgent_policy, make_ticket, agent):
    ticket = make_ticket()
    services.update_ticket(ticket, actor=agent, priority=4)
    ticket.sla_clock.refresh_from_db()
    assert ticket.sla_clock.policy == urgent_policy


def test_waiting_pauses_and_resuming_pushes_due_times(policy, make_ticket, agent, customer):
    start = dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC)
    with at(start):
        ticket = make_ticket()
    with at(start + H):
        services.post_message(
            ticket, actor=agent, body="Which printer?", channel="desk", new_status=Status.WAITING
        )
    clock = TicketClock.objects.get(ticket=ticket)
    assert clock.paused_since == start + H and clock.due_at is None and clock.next_check_at is None
    with at(start + 4 * H):
        services.post_message(ticket, actor=customer, body="The one on floor 2", channel="web")
    clock.refresh_from_db()
    assert clock.paused_since is None
    assert clock.paused_seconds == 3 * 3600
    assert clock.resolution_due == start + 11 * H
    assert clock.due_at == start + 11 * H  # first response was given: only resolution counts


def test_checker_flags_warning_then_breach_once_and_runs_actions(
    policy, make_ticket, agent, django_capture_on_commit_callbacks
):
    SlaAction.objects.create(
        policy=policy, moment="warning", target="first_response", kind="raise_priority"
    )
    SlaAction.objects.create(policy=policy, moment="breach", kind="escalate_tier")
    start = dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC)
    with at(start):
        ticket = make_ticket()
    assert clocks.check_due(start + dt.timedelta(minutes=30)) == 0
    assert clocks.check_due(start + dt.timedelta(minutes=50)) == 1
    ticket.refresh_from_db()
    assert ticket.priority == 3
    assert Event.objects.get(ticket=ticket, field="priority").note.startswith(
        "rule: SLA Standard: first response warning"
    )
    assert clocks.check_due(start + dt.timedelta(minutes=55)) == 0  # warned once only
    assert clocks.check_due(start + 2 * H) == 1
    ticket.refresh_from_db()
    assert ticket.tier == 2
    clock = TicketClock.objects.get(ticket=ticket)
    assert clock.response_breached_at == start + 2 * H
    assert clock.resolution_breached_at is None


def test_first_response_in_time_means_no_breach(policy, make_ticket, agent):
    start = timezone.now()
    ticket = make_ticket()
    services.post_message(ticket, actor=agent, body="On it", channel="desk")
    clock = TicketClock.objects.get(ticket=ticket)
    assert clock.next_check_at == clock.resolution_warn_at
    clocks.check_due(start + 2 * H)
    clock.refresh_from_db()
    assert clock.response_breached_at is None and clock.response_warned_at is None


def test_no_policy_no_due_times(make_ticket):
    ticket = make_ticket()
    assert ticket.sla_clock.policy is None and ticket.sla_clock.due_at is None


def test_notify_action_tells_supervisors(
    policy, make_ticket, supervisor, django_capture_on_commit_callbacks
):
    from relaydesk.notifications.models import Notification

    SlaAction.objects.create(policy=policy, moment="breach", kind="notify_supervisors")
    start = dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC)
    with at(start):
        make_ticket()
    with django_capture_on_commit_callbacks(execute=True):
        clocks.check_due(start + 2 * H)
    note = Notification.objects.get(user=supervisor)
    assert note.kind == "sla_breached" and note.urgent
