"""De-escalation: down a tier with a reason, audited, published, and the target told."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from relaydesk.core import events
from relaydesk.notifications.models import Kind, Notification
from relaydesk.tickets import services
from relaydesk.tickets.models import Event
from tests.factories import AgentFactory


@pytest.fixture
def tier3_ticket(ticket, agent):
    services.escalate(ticket, actor=agent, reason="hard one", tier=3)
    ticket.refresh_from_db()
    return ticket


def test_goes_one_tier_down_by_default_and_unassigns(tier3_ticket, agent):
    services.assign(tier3_ticket, actor=agent, assignee=agent)
    services.deescalate(tier3_ticket, actor=agent, reason="Known fix, first line can do it")
    tier3_ticket.refresh_from_db()
    assert (tier3_ticket.tier, tier3_ticket.assignee) == (2, None)
    event = tier3_ticket.events.get(kind=Event.Kind.DEESCALATED)
    assert event.field == "tier" and event.actor == agent
    assert event.note == "Known fix, first line can do it"
    assert (event.old_value, event.new_value) == ("IT Support / tier 3", "IT Support / tier 2")


def test_to_a_named_tier_agent_and_queue(tier3_ticket, agent, other_agent, other_queue):
    services.deescalate(
        tier3_ticket, actor=agent, reason="Nina", tier=1, queue=other_queue, assignee=other_agent
    )
    tier3_ticket.refresh_from_db()
    assert (tier3_ticket.tier, tier3_ticket.queue, tier3_ticket.assignee) == (
        1, other_queue, other_agent)  # fmt: skip


@pytest.mark.parametrize("reason", ["", "   "])
def test_needs_a_reason(tier3_ticket, agent, reason):
    with pytest.raises(ValidationError) as exc:
        services.deescalate(tier3_ticket, actor=agent, reason=reason)
    assert "reason" in exc.value.message_dict
    tier3_ticket.refresh_from_db()
    assert tier3_ticket.tier == 3


def test_tier_must_be_lower_and_at_least_one(ticket, tier3_ticket, agent):
    for tier in (0, 3, 4):
        with pytest.raises(ValidationError) as exc:
            services.deescalate(tier3_ticket, actor=agent, reason="x", tier=tier)
        assert "tier" in exc.value.message_dict
    tier3_ticket.refresh_from_db()
    assert tier3_ticket.tier == 3
    assert not tier3_ticket.events.filter(kind=Event.Kind.DEESCALATED).exists()


def test_not_below_tier_one(make_ticket, agent):
    ticket = make_ticket()
    with pytest.raises(ValidationError):
        services.deescalate(ticket, actor=agent, reason="lower")


def test_customer_and_other_agent_may_not(tier3_ticket, customer, other_agent):
    for actor in (customer, other_agent):
        with pytest.raises(PermissionDenied):
            services.deescalate(tier3_ticket, actor=actor, reason="no")
    tier3_ticket.refresh_from_db()
    assert tier3_ticket.tier == 3


def test_publishes_event(tier3_ticket, agent, monkeypatch):
    published = []
    monkeypatch.setattr(events, "publish", lambda name, payload: published.append((name, payload)))
    services.deescalate(tier3_ticket, actor=agent, reason="back down")
    [(name, payload)] = published
    assert name == "ticket.deescalated"
    assert (payload["tier"], payload["reason"], payload["actor_id"]) == (2, "back down", agent.id)


def test_the_lower_tier_is_told(tier3_ticket, agent, django_capture_on_commit_callbacks):
    junior = AgentFactory(email="junior@desk.test", tier=2, queues=[tier3_ticket.queue])
    with django_capture_on_commit_callbacks(execute=True):
        services.deescalate(tier3_ticket, actor=agent, reason="tier 2 can do it")
    note = Notification.objects.get(user=junior, kind=Kind.ESCALATED)
    assert "De-escalated to tier 2" in note.title
    assert not Notification.objects.filter(user=agent, kind=Kind.ESCALATED).exists()


def test_a_named_agent_is_told(tier3_ticket, agent, django_capture_on_commit_callbacks):
    target = AgentFactory(email="target@desk.test", tier=1, queues=[tier3_ticket.queue])
    other = AgentFactory(email="bystander@desk.test", tier=1, queues=[tier3_ticket.queue])
    with django_capture_on_commit_callbacks(execute=True):
        services.deescalate(tier3_ticket, actor=agent, reason="yours", tier=1, assignee=target)
    assert Notification.objects.filter(user=target, kind=Kind.ESCALATED).exists()
    assert not Notification.objects.filter(user=other, kind=Kind.ESCALATED).exists()
