import pytest
from django.core.exceptions import PermissionDenied

from relaydesk.routing import services as routing
from relaydesk.routing.models import AssignmentAction as A
from relaydesk.routing.models import QueueStrategy, Skill
from relaydesk.tickets import services
from relaydesk.tickets.models import Event
from tests.factories import AgentFactory

S, FB = QueueStrategy.Strategy, QueueStrategy.Fallback


@pytest.fixture
def agents(queue):
    return [AgentFactory(email=f"a{i}@desk.test", queues=[queue]) for i in range(3)]


def _assignees(make_ticket, n):
    out = []
    for _ in range(n):
        ticket = make_ticket()
        ticket.refresh_from_db()
        out.append(ticket.assignee)
    return out


def test_manual_strategy_leaves_ticket_for_the_dispatcher(queue, agents, make_ticket):
    QueueStrategy.objects.create(queue=queue, strategy=S.MANUAL)
    assert _assignees(make_ticket, 2) == [None, None]


def test_round_robin_cycles_available_agents_and_skips_away(queue, agents, make_ticket):
    QueueStrategy.objects.create(queue=queue, strategy=S.ROUND_ROBIN)
    routing.set_away(agents[1], True)
    assert _assignees(make_ticket, 4) == [agents[0], agents[2], agents[0], agents[2]]
    event = Event.objects.filter(kind=Event.Kind.ASSIGNED).first()
    assert event.actor is None and event.note.startswith("rule: assignment strategy")


def test_least_open_prefers_the_agent_with_fewest_open_tickets(queue, agents, make_ticket):
    first = make_ticket()
    services.assign(first, actor=agents[0], assignee=agents[0])
    second = make_ticket()
    services.assign(second, actor=agents[1], assignee=agents[1])
    QueueStrategy.objects.create(queue=queue, strategy=S.LEAST_OPEN)
    assert _assignees(make_ticket, 2) == [agents[2], agents[0]]


def test_tier_is_respected(queue, agents, make_ticket, make_rule):
    senior = AgentFactory(email="senior@desk.test", queues=[queue], tier=2)
    QueueStrategy.objects.create(queue=queue, strategy=S.ROUND_ROBIN)
    make_rule("tier 2", [], [(A.Kind.SET_TIER, "2")])
    assert _assignees(make_ticket, 2) == [senior, senior]


@pytest.mark.parametrize(
    ("fallback", "expect_assigned"), [(FB.UNASSIGNED, False), (FB.IGNORE_SKILLS, True)]
)
def test_skills_preferred_then_fallback(
    queue, agents, make_ticket, make_rule, fallback, expect_assigned
):
    strategy = QueueStrategy.objects.create(queue=queue, strategy=S.ROUND_ROBIN, fallback=fallback)
    linux = Skill.objects.create(name="Linux")
    routing.profile_for(agents[2]).skills.add(linux)
    make_rule("linux", [("subject", "contains", "linux")], [(A.Kind.REQUIRE_SKILLS, "Linux")])
    make_rule("sap", [("subject", "contains", "sap")], [(A.Kind.REQUIRE_SKILLS, "SAP")])
    linux_ticket = make_ticket(subject="Linux box")
    linux_ticket.refresh_from_db()
    assert linux_ticket.assignee == agents[2]
    routing.set_away(agents[2], True)
    strategy.refresh_from_db()
    sap_ticket = make_ticket(subject="SAP login")
    sap_ticket.refresh_from_db()
    assert (sap_ticket.assignee is not None) is expect_assigned


def test_any_tier_fallback(queue, make_ticket, make_rule):
    junior = AgentFactory(email="junior@desk.test", queues=[queue], tier=1)
    QueueStrategy.objects.create(queue=queue, strategy=S.ROUND_ROBIN, fallback=FB.ANY_TIER)
    make_rule("tier 3", [], [(A.Kind.SET_TIER, "3")])
    assert _assignees(make_ticket, 1) == [junior]


def test_assign_team_moves_queue_and_uses_its_strategy(
    queue, other_queue, other_agent, make_ticket, make_rule
):
    QueueStrategy.objects.create(queue=other_queue, strategy=S.ROUND_ROBIN)
    make_rule("network team", [("subject", "contains", "wifi")], [(A.Kind.ASSIGN_TEAM, "network")])
    ticket = make_ticket(subject="wifi is down")
    ticket.refresh_from_db()
    assert (ticket.queue, ticket.assignee) == (other_queue, other_agent)


def test_only_agents_mark_themselves_away(customer, agent):
    with pytest.raises(PermissionDenied):
        routing.set_away(customer, True)
    assert routing.set_away(agent, True).away is True
    assert routing.is_away(agent)
    assert routing.set_away(agent, False).away_since is None


# --- the per-process pool cache follows every change that matters --------------------------


def _next_assignee(make_ticket):
    return _assignees(make_ticket, 1)[0]


def test_pool_cache_follows_away_new_members_and_deactivation(queue, agents, make_ticket):
    from tests.factories import QueueFactory

    QueueStrategy.objects.create(queue=queue, strategy=S.ROUND_ROBIN)
    assert _next_assignee(make_ticket) == agents[0]  # the cache is loaded now
    routing.set_away(agents[1], True)
    assert _next_assignee(make_ticket) == agents[2]
    newcomer = AgentFactory(email="new@desk.test")
    newcomer.queues.add(queue)  # a membership added through the many-to-many
    assert _next_assignee(make_ticket) == newcomer
    agents[0].is_active = False
    agents[0].save()
    routing.set_away(agents[1], False)
    assert _assignees(make_ticket, 3) == [agents[1], agents[2], newcomer]
    newcomer.queues.remove(queue)
    QueueFactory(name="Elsewhere", slug="elsewhere")
    assert _assignees(make_ticket, 2) == [agents[1], agents[2]]


def test_pool_cache_follows_strategy_changes(queue, agents, make_ticket):
    strategy = QueueStrategy.objects.create(queue=queue, strategy=S.MANUAL)
    assert _next_assignee(make_ticket) is None
    strategy.strategy = S.ROUND_ROBIN
    strategy.save()
    assert _next_assignee(make_ticket) == agents[0]
    strategy.delete()
    assert _next_assignee(make_ticket) is None


def test_a_sign_in_or_a_new_customer_keeps_the_pool_cache(queue, agents, make_ticket):
    from django.contrib.auth.signals import user_logged_in

    from relaydesk.accounts.services import find_or_create_customer
    from relaydesk.routing.assignment import pool_cache

    QueueStrategy.objects.create(queue=queue, strategy=S.ROUND_ROBIN)
    make_ticket()
    loaded = pool_cache._value
    assert loaded is not None
    user_logged_in.send(sender=type(agents[0]), request=None, user=agents[0])  # last_login
    find_or_create_customer("someone@example.test", "Someone")  # an unknown mail sender
    assert pool_cache._value is loaded


def test_the_created_ticket_shows_its_routing(queue, agents, make_ticket, make_rule):
    """Routing changes the very object open_ticket returns (no stale copy, no re-fetch)."""
    QueueStrategy.objects.create(queue=queue, strategy=S.ROUND_ROBIN)
    make_rule("urgent printers", [("subject", "contains", "printer")],
              [(A.Kind.SET_PRIORITY, "4")])  # fmt: skip
    ticket = make_ticket(subject="Printer on fire")
    assert (ticket.priority, ticket.assignee, ticket.status) == (4, agents[0], "in_progress")
    fresh = type(ticket).objects.get(pk=ticket.pk)
    assert (fresh.priority, fresh.assignee_id, fresh.status) == (4, agents[0].id, "in_progress")
    assert type(ticket).objects.filter(pk=ticket.pk, sla_clock__isnull=False).exists()
