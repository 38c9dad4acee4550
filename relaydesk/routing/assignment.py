"""Who gets a ticket automatically: the queue's strategy, the ticket's tier and skills."""

from django.db.models import Count, Q

from relaydesk.accounts.models import User
from relaydesk.routing.models import QueueStrategy, TicketSkill
from relaydesk.tickets import services
from relaydesk.tickets.models import Ticket

Strategy = QueueStrategy.Strategy
Fallback = QueueStrategy.Fallback


def available_agents(queue_id: int, *, min_tier: int | None = None):
    """Active agents of the queue who are not away, working at least MIN_TIER."""
    agents = (
        User.objects.filter(memberships__queue_id=queue_id, is_active=True)
        .exclude(role=User.Role.CUSTOMER)
        .exclude(routing_profile__away=True)
    )
    if min_tier is not None:
        agents = agents.filter(tier__gte=min_tier)
    return agents


def candidates(ticket: Ticket, strategy: QueueStrategy) -> list[int]:
    """Ids of the agents the strategy chooses among, after the configured fallback."""
    agents = dict(available_agents(ticket.queue_id).values_list("id", "tier").distinct())
    of_tier = sorted(a for a, tier in agents.items() if tier >= ticket.tier)
    skill_ids = list(TicketSkill.objects.filter(ticket=ticket).values_list("skill_id", flat=True))
    pool = of_tier
    if skill_ids and of_tier:
        having = User.objects.filter(id__in=of_tier)
        for skill_id in skill_ids:
            having = having.filter(routing_profile__skills__id=skill_id)
        pool = sorted(having.values_list("id", flat=True).distinct())
    if skill_ids and not pool:
        if strategy.fallback == Fallback.UNASSIGNED:
            return []
        pool = of_tier
    if not pool and strategy.fallback == Fallback.ANY_TIER:
        pool = sorted(agents)
    return pool


def pick_agent(ticket: Ticket) -> User | None:
    """The next agent for TICKET by its queue's strategy, or None (manual, nobody free)."""
    strategy = QueueStrategy.objects.select_for_update().filter(queue_id=ticket.queue_id).first()
    if strategy is None or strategy.strategy == Strategy.MANUAL:
        return None
    pool = candidates(ticket, strategy)
    if not pool:
        return None
    if strategy.strategy == Strategy.ROUND_ROBIN:
        last = strategy.last_assignee_id or 0
        agent_id = next((a for a in pool if a > last), pool[0])
        strategy.last_assignee_id = agent_id
        strategy.save(update_fields=["last_assignee"])
        return User.objects.get(id=agent_id)
    return (
        User.objects.filter(id__in=pool)
        .annotate(
            open_count=Count(
                "assigned_tickets",
                filter=Q(assigned_tickets__status__in=Ticket.OPEN_STATUSES),
                distinct=True,
            )
        )
        .order_by("open_count", "id")
        .first()
    )


def auto_assign(ticket: Ticket, *, rule: str = "") -> User | None:
    """Assign an unassigned ticket by its queue's strategy, as the system."""
    if ticket.assignee_id is not None:
        return None
    agent = pick_agent(ticket)
    if agent is not None:
        with services.acting_rule(rule or f"assignment strategy of {ticket.queue}"):
            services.assign(ticket, actor=None, assignee=agent)
    return agent
