"""Who gets a ticket automatically: the queue's strategy, the ticket's tier and skills.

Which queues assign automatically, and which agents of them are available, is cached per
process (`pool_cache`): it is dropped at once in the process that changes a strategy, an
agent, a membership or a profile, and within a second in the others (a version counter in
the database, as for the rules). Round-robin still reads and moves its position under a row
lock for every ticket, so two processes never hand out the same turn.
"""

import copy
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from relaydesk.accounts.models import QueueMembership, User
from relaydesk.core import fastsql
from relaydesk.routing.models import AgentProfile, QueueStrategy, TicketSkill
from relaydesk.routing.rules import VersionedCache
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


@dataclass
class Pools:
    """Per queue with automatic assignment: its strategy and its available agents."""

    strategies: dict[int, str]  # queue id -> strategy, for queues that are not manual
    agents: dict[int, dict[int, int]]  # queue id -> {agent id: tier}
    users: dict[int, User]


def _load_pools() -> Pools:
    strategies = dict(
        QueueStrategy.objects.exclude(strategy=Strategy.MANUAL).values_list("queue_id", "strategy")
    )
    agents: dict[int, dict[int, int]] = {queue_id: {} for queue_id in strategies}
    for queue_id, agent_id, tier in (
        QueueMembership.objects.filter(queue_id__in=list(strategies), user__is_active=True)
        .exclude(user__role=User.Role.CUSTOMER)
        .exclude(user__routing_profile__away=True)
        .values_list("queue_id", "user_id", "user__tier")
    ):
        agents[queue_id][agent_id] = tier
    ids = {agent_id for pool in agents.values() for agent_id in pool}
    return Pools(strategies, agents, User.objects.in_bulk(ids))


pool_cache = VersionedCache("routing-pools-version", _load_pools)
pool_cache.invalidate_on_change_of(QueueStrategy, QueueMembership, AgentProfile)


def _user_saved(instance: User, created: bool, update_fields=None, **kwargs) -> None:
    # A new customer (every unknown mail sender) or a sign-in (last_login) changes nobody's
    # availability; any other change to an account may (role, tier, active).
    if created and instance.is_customer:
        return
    if update_fields and {"last_login", "password"}.issuperset(update_fields):
        return
    pool_cache.bump()


post_save.connect(_user_saved, sender=User, weak=False, dispatch_uid="routing-pools-user-save")
post_delete.connect(
    lambda **kwargs: pool_cache.bump(),
    sender=User,
    weak=False,
    dispatch_uid="routing-pools-user-delete",
)


def _membership_changed(action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        pool_cache.bump()


m2m_changed.connect(
    _membership_changed, sender=User.queues.through, weak=False, dispatch_uid="routing-pools-m2m"
)


def candidates(
    ticket: Ticket, strategy: QueueStrategy, *, skills_known_none: bool = False
) -> list[int]:
    """Ids of the agents the strategy chooses among, after the configured fallback.

    SKILLS_KNOWN_NONE: the caller knows the ticket requires no skills (saves a query)."""
    agents = pool_cache.get().agents.get(ticket.queue_id)
    if agents is None:  # a strategy row newer than the cache: ask the database
        agents = dict(available_agents(ticket.queue_id).values_list("id", "tier").distinct())
    of_tier = sorted(a for a, tier in agents.items() if tier >= ticket.tier)
    skill_ids = (
        []
        if skills_known_none
        else list(TicketSkill.objects.filter(ticket=ticket).values_list("skill_id", flat=True))
    )
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


def pick_agent(ticket: Ticket, *, skills_known_none: bool = False) -> User | None:
    """The next agent for TICKET by its queue's strategy, or None (manual, nobody free)."""
    pools = pool_cache.get()
    if ticket.queue_id not in pools.strategies:
        return None  # manual, or no strategy at all: no query needed to know that
    strategy = fastsql.select_one(QueueStrategy, "queue", ticket.queue_id, for_update=True)
    if strategy is None or strategy.strategy == Strategy.MANUAL:
        return None
    pool = candidates(ticket, strategy, skills_known_none=skills_known_none)
    if not pool:
        return None
    if strategy.strategy == Strategy.ROUND_ROBIN:
        last = strategy.last_assignee_id or 0
        agent_id = next((a for a in pool if a > last), pool[0])
        # An UPDATE without signals: moving the turn must not drop the pool cache.
        strategy.last_assignee_id = agent_id
        fastsql.update(strategy, ["last_assignee"], signals_ok=True)
        cached = pools.users.get(agent_id)
        # A copy: the cached object is shared by every ticket this process routes.
        return copy.copy(cached) if cached is not None else User.objects.get(id=agent_id)
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


def auto_assign(ticket: Ticket, *, rule: str = "", skills_known_none: bool = False) -> User | None:
    """Assign an unassigned ticket by its queue's strategy, as the system."""
    if ticket.assignee_id is not None:
        return None
    agent = pick_agent(ticket, skills_known_none=skills_known_none)
    if agent is not None:
        with services.acting_rule(rule or f"assignment strategy of {ticket.queue}"):
            services.assign(ticket, actor=None, assignee=agent)
    return agent
