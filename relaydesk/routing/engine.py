"""Assignment rules: run in order on every new ticket, inside its creating transaction."""

from contextvars import ContextVar

from django.db.models import Prefetch

from relaydesk.routing.actions import apply_actions
from relaydesk.routing.assignment import auto_assign
from relaydesk.routing.models import (
    ActionBase,
    AssignmentAction,
    AssignmentCondition,
    AssignmentRule,
)
from relaydesk.routing.rules import CompiledRule, Facts, VersionedCache, compile_condition
from relaydesk.tickets import services
from relaydesk.tickets.models import Message, Ticket

Kind = ActionBase.Kind


def _load_rules() -> list[CompiledRule]:
    rules = AssignmentRule.objects.filter(is_active=True).prefetch_related(
        Prefetch("conditions", AssignmentCondition.objects.order_by("position", "id")),
        Prefetch("actions", AssignmentAction.objects.order_by("position", "id")),
    )
    return [
        CompiledRule(
            id=rule.id,
            name=rule.name,
            match_all=rule.match == AssignmentRule.Match.ALL,
            predicates=[compile_condition(c) for c in rule.conditions.all()],
            actions=list(rule.actions.all()),
            stop=rule.stop_processing,
        )
        for rule in rules
    ]


rule_cache = VersionedCache("routing-rules-version", _load_rules)
rule_cache.invalidate_on_change_of(AssignmentRule, AssignmentCondition, AssignmentAction)


# The ticket being routed right now: its own follow-up events (queue set, assigned...) need
# no separate SLA refresh, since the SLA clock starts after routing, on the final state.
routing_ticket: ContextVar[int | None] = ContextVar("routing_ticket", default=None)


def route_new_ticket(ticket_id: int, message_id: int | None) -> list[str]:
    """Apply matching rules, then the queue's assignment strategy. Returns the rule names."""
    token = routing_ticket.set(ticket_id)
    try:
        return _route(ticket_id, message_id)
    finally:
        routing_ticket.reset(token)


def _route(ticket_id: int, message_id: int | None) -> list[str]:
    rules = rule_cache.get()
    # The creating service's own object when routing runs as its subscriber (no re-fetch);
    # rule actions change it through the services, so it always shows the current state.
    being_created = services.ticket_at_hand(ticket_id)
    ticket = being_created or Ticket.objects.select_related(
        "requester", "organization", "ticket_type", "queue"
    ).get(id=ticket_id)
    message = services.message_at_hand(message_id) or (
        Message.objects.filter(id=message_id).only("body_text").first() if message_id else None
    )
    facts = Facts(ticket, message)
    applied = []
    skills_required = False
    for rule in rules:
        if rule.matches(facts):
            apply_actions(ticket, rule.actions, rule.name)
            applied.append(rule.name)
            skills_required |= any(a.kind == Kind.REQUIRE_SKILLS for a in rule.actions)
            facts = Facts(ticket, message)  # actions may have changed what later rules see
            if rule.stop:
                break
    # A ticket still being created needs skills only if one of its rules required them.
    auto_assign(ticket, skills_known_none=being_created is not None and not skills_required)
    return applied
