"""Triggers: run in the task queue after the event's transaction commits.

Events caused by automation itself (the payload names a rule) never fire triggers, so two
triggers cannot ping-pong a ticket forever.
"""

import logging

from django.db import transaction
from django.db.models import Prefetch

from relaydesk.automation.models import Trigger, TriggerAction, TriggerCondition
from relaydesk.routing.actions import apply_actions
from relaydesk.routing.rules import CompiledRule, Facts, VersionedCache, compile_condition
from relaydesk.tickets.models import Message, Ticket

logger = logging.getLogger(__name__)


def _load() -> dict[str, list[CompiledRule]]:
    by_event: dict[str, list[CompiledRule]] = {}
    triggers = Trigger.objects.filter(is_active=True).prefetch_related(
        Prefetch("conditions", TriggerCondition.objects.order_by("position", "id")),
        Prefetch("actions", TriggerAction.objects.order_by("position", "id")),
    )
    for trigger in triggers:
        by_event.setdefault(trigger.event, []).append(
            CompiledRule(
                id=trigger.id,
                name=trigger.name,
                match_all=trigger.match == Trigger.Match.ALL,
                predicates=[compile_condition(c) for c in trigger.conditions.all()],
                actions=list(trigger.actions.all()),
            )
        )
    return by_event


trigger_cache = VersionedCache("triggers-version", _load)
trigger_cache.invalidate_on_change_of(Trigger, TriggerCondition, TriggerAction)


def run_triggers(payload: dict) -> list[str]:
    """Run the triggers for PAYLOAD's event; return the names of those that acted."""
    if payload.get("rule"):
        return []
    rules = trigger_cache.get().get(payload["event"], [])
    if not rules:
        return []
    ticket = (
        Ticket.objects.select_related("requester", "organization", "ticket_type", "queue")
        .filter(id=payload["ticket_id"])
        .first()
    )
    if ticket is None:
        return []
    message_id = payload.get("message_id")
    message = Message.objects.filter(id=message_id).first() if message_id else None
    if message is None:
        message = Message.objects.filter(ticket=ticket).order_by("id").first()
    ran = []
    for rule in rules:
        if rule.matches(Facts(ticket, message, payload)):
            with transaction.atomic():
                apply_actions(ticket, rule.actions, f"trigger {rule.name}")
            ran.append(rule.name)
    return ran
