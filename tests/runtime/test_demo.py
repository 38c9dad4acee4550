"""The demo data a first `relaydesk serve` loads: what the README's demo logins promise."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction

from relaydesk.accounts.models import Organization, Queue, User
from relaydesk.runtime import demo
from relaydesk.tickets import services
from relaydesk.tickets.models import CustomField, Event, Message, Ticket, TicketType
from relaydesk.tickets.queries import visible_tickets

S = Ticket.Status


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    """Load the demo once for this module, in a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo.load()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo_db, db):
    """Each test runs in a savepoint inside the module's transaction."""


def test_three_queues(loaded):
    assert sorted(Queue.objects.values_list("name", flat=True)) == [
        "Billing", "IT Support", "Network"]  # fmt: skip


def test_every_demo_login_exists_and_signs_in(loaded):
    for email, _what in demo.DEMO_LOGINS:
        user = authenticate(username=email, password=demo.DEMO_PASSWORD)
        assert user is not None, email
        assert user.email == email


def test_staff_roles_and_tiers(loaded):
    admin = User.objects.get(email="admin@example.com")
    assert (admin.role, admin.is_staff, admin.is_superuser) == ("admin", True, True)
    assert User.objects.get(email="supervisor@example.com").role == "supervisor"
    agents = User.objects.filter(role=User.Role.AGENT).order_by("tier")
    assert [a.tier for a in agents] == [1, 2, 3]
    for agent in agents:
        assert agent.queues.exists(), agent.email


def test_customers_in_two_organizations(loaded):
    customers = User.objects.filter(role=User.Role.CUSTOMER).select_related("organization")
    orgs = {c.organization.name for c in customers}
    assert orgs == set(Organization.objects.values_list("name", flat=True))
    assert len(orgs) == 2
    assert User.objects.get(email="bob@acme.example").is_org_manager


def test_tickets_in_every_status(loaded):
    counts = {s: Ticket.objects.filter(status=s).count() for s in S.values}
    assert all(n >= 5 for n in counts.values()), counts
    assert 40 <= sum(counts.values()) <= 60


def test_each_ticket_has_an_event_trail(loaded):
    for ticket in Ticket.objects.prefetch_related("events"):
        kinds = [e.kind for e in sorted(ticket.events.all(), key=lambda e: e.id)]
        assert kinds[0] == Event.Kind.CREATED, ticket.reference
        if ticket.status != S.NEW:
            assert Event.Kind.ASSIGNED in kinds, ticket.reference
            statuses = [e.new_value for e in ticket.events.all() if e.kind == Event.Kind.STATUS]
            assert statuses[-1] == ticket.status, ticket.reference
        assert Message.objects.filter(ticket=ticket).exists()


def test_status_dates_match_the_status(loaded):
    assert not Ticket.objects.filter(status=S.CLOSED, closed_at__isnull=True).exists()
    assert not Ticket.objects.filter(status=S.RESOLVED, resolved_at__isnull=True).exists()
    worked = Ticket.objects.exclude(status=S.NEW)
    assert not worked.filter(assignee__isnull=True).exists()


def test_types_and_fields_are_configured(loaded):
    assert TicketType.objects.count() == 5
    assert set(CustomField.objects.values_list("kind", flat=True)) == set(
        CustomField.Kind.values)  # fmt: skip
    assert CustomField.objects.filter(customer_visible=False).exists()


def test_demo_personas_see_what_their_roles_allow(loaded):
    alice = User.objects.get(email="alice@acme.example")
    bob = User.objects.get(email="bob@acme.example")
    carol = User.objects.get(email="carol@globex.example")
    tier3 = User.objects.get(email="tier3@example.com")
    mine = visible_tickets(alice)
    assert mine.exists() and not mine.exclude(requester=alice).exists()
    assert visible_tickets(bob).exclude(requester=bob).exists()  # manager sees the org's
    assert not visible_tickets(carol).exclude(organization__name="Globex").exists()
    assert not visible_tickets(tier3).filter(queue__slug="billing", assignee__isnull=True)


def test_demo_data_goes_only_into_an_empty_database(loaded):
    with pytest.raises(CommandError):
        call_command("demo_data")
    assert Queue.objects.count() == 3


def test_business_calendar_and_sla_policies(loaded):
    from relaydesk.sla.models import BusinessCalendar, SlaPolicy, TicketClock

    calendar = BusinessCalendar.objects.get()
    assert (calendar.time_zone, calendar.country) == ("Europe/Berlin", "DE")
    hours = [(h.weekday, h.start.hour, h.end.hour) for h in calendar.hours.all()]
    assert hours == [(day, 8, 18) for day in range(5)]
    targets = list(
        SlaPolicy.objects.order_by("position").values_list(
            "priority", "first_response_minutes", "resolution_minutes", "calendar"
        )
    )
    assert targets == [
        (Ticket.Priority.URGENT, 60, 240, calendar.pk),
        (Ticket.Priority.HIGH, 240, 600, calendar.pk),
        (None, 480, 1800, calendar.pk),
    ]
    # every demo ticket has a clock with due times, under the policy of its priority
    clocks = TicketClock.objects.select_related("ticket", "policy")
    assert clocks.count() == Ticket.objects.count()
    for clock in clocks:
        assert clock.resolution_due is not None, clock.ticket.reference
        expected = {4: "Urgent", 3: "High"}.get(clock.ticket.priority, "Default")
        assert clock.policy.name == expected, clock.ticket.reference


def test_assignment_rules_routed_the_demo_tickets(loaded):
    from relaydesk.routing.models import AssignmentRule

    assert list(AssignmentRule.objects.values_list("name", flat=True)) == [
        "VPN and Wi-Fi go to Network", "Urgent tickets start at tier 2"]  # fmt: skip
    vpn = Ticket.objects.filter(subject__startswith="VPN")
    assert vpn.exists() and not vpn.exclude(queue__slug="network").exists()
    urgent = Ticket.objects.filter(priority=Ticket.Priority.URGENT)
    assert urgent.exists() and not urgent.exclude(tier=2).exists()
    assert not Ticket.objects.exclude(priority=Ticket.Priority.URGENT).exclude(tier=1).exists()
    assert Event.objects.filter(note="rule: Urgent tickets start at tier 2").exists()


def test_it_support_assigns_round_robin_and_a_shared_macro(loaded):
    from relaydesk.automation.models import Macro
    from relaydesk.routing.models import QueueStrategy

    strategy = QueueStrategy.objects.get()
    assert (strategy.queue.slug, strategy.strategy) == ("it-support", "round_robin")
    macro = Macro.objects.get()
    assert (macro.name, macro.owner, macro.new_status) == ("Ask for a screenshot", None, "waiting")
    assert "{reference}" in macro.reply
    # a new IT Support ticket is now handed to one of the queue's agents at once
    alice = User.objects.get(email="alice@acme.example")
    ticket = services.open_ticket(
        actor=alice, requester=alice, subject="Mouse is broken", body="It does not click.",
        channel=Ticket.Channel.WEB, queue=strategy.queue,
    )  # fmt: skip
    ticket.refresh_from_db()
    assert ticket.assignee is not None and strategy.queue in ticket.assignee.queues.all()
