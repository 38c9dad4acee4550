"""Apply rule actions to a ticket through the ticket services, as the system.

Each change goes through `relaydesk.tickets.services` with actor=None inside
`services.acting_rule(name)`, so the audit trail names the rule that made it. Kinds that
reach outside (email, webhook) are registered by the automation app and run after commit.
"""

import copy
import logging
from collections.abc import Callable

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from relaydesk.accounts.models import MAX_TIER, Queue, User
from relaydesk.core import fastsql
from relaydesk.routing.models import ActionBase, Skill, TicketSkill, TicketTag
from relaydesk.routing.rules import VersionedCache
from relaydesk.tickets import services
from relaydesk.tickets.models import Event, Ticket, TicketType

logger = logging.getLogger(__name__)
Kind = ActionBase.Kind

# kind -> handler(ticket, value, rule_name, secret); automation adds email and webhook.
extra_handlers: dict[str, Callable[[Ticket, str, str, str], None]] = {}


def render(template: str, ticket: Ticket) -> str:
    """Fill {reference}, {subject}, {requester}, {status}, {queue}; unknown names stay."""
    values = {
        "reference": ticket.reference,
        "number": ticket.number,
        "subject": ticket.subject,
        "requester": ticket.requester.display_name if ticket.requester_id else "",
        "status": ticket.get_status_display(),
        "queue": ticket.queue.name if ticket.queue_id else "",
        "assignee": ticket.assignee.display_name if ticket.assignee_id else "",
    }

    class Keep(dict):
        def __missing__(self, key):
            return "{" + key + "}"

    try:
        return template.format_map(Keep(values))
    except (ValueError, IndexError):
        return template


def _load_queues() -> dict[str, Queue]:
    return {queue.slug: queue for queue in Queue.objects.all()}


# Rules name queues by slug; most tickets that match a rule move queue, and a look-up each
# time cost a query (~0.1 ms) per routed ticket.
queue_cache = VersionedCache("queues-version", _load_queues)
queue_cache.invalidate_on_change_of(Queue)


def queue_by_slug(slug: str) -> Queue:
    queue = queue_cache.get().get(slug)
    if queue is None:
        raise Queue.DoesNotExist(f"No queue has the slug {slug!r}.")
    return copy.copy(queue)  # the cached one is shared by every ticket this process routes


def add_tags(ticket: Ticket, names: list[str], *, rule: str = "") -> None:
    existing = set(fastsql.values(TicketTag, "name", "ticket", ticket.id))
    new = [n for n in dict.fromkeys(names) if n and n not in existing]
    if not new:
        return
    fastsql.insert([TicketTag(ticket=ticket, name=n) for n in new])
    event = Event(
        ticket=ticket,
        kind=Event.Kind.FIELD,
        field="tags",
        old_value=", ".join(sorted(existing)),
        new_value=", ".join(sorted(existing | set(new))),
        note=f"rule: {rule}" if rule else "",
    )
    fastsql.insert([event])


def require_skills(ticket: Ticket, names: list[str]) -> None:
    for name in names:
        skill, _created = Skill.objects.get_or_create(name=name)
        TicketSkill.objects.get_or_create(ticket=ticket, skill=skill)


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


# What a macro can do (relaydesk.automation.services.apply_macro); the rest is for rules.
MACRO_KINDS = {Kind.SET_PRIORITY, Kind.SET_TIER, Kind.SET_QUEUE, Kind.SET_TYPE,
               Kind.ASSIGN_AGENT, Kind.ADD_TAGS}  # fmt: skip


def _whole_number(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def validate_action(kind: str, value: str, *, macro: bool = False) -> str | None:
    """A message for the admin when the action could not work when it runs, else None.

    At run time a broken action is only logged and skipped; this catches it at save time.
    """
    value = (value or "").strip()
    if macro and kind not in MACRO_KINDS:
        return _("A macro cannot do this; use a trigger.")
    if kind in (Kind.SET_QUEUE, Kind.ASSIGN_TEAM):
        if not Queue.objects.filter(slug=value, is_active=True).exists():
            return _("No active queue has the slug “%(value)s”.") % {"value": value}
    elif kind == Kind.SET_TYPE:
        if not TicketType.objects.filter(slug=value).exists():
            return _("No ticket type has the slug “%(value)s”.") % {"value": value}
    elif kind == Kind.SET_TIER:
        if _whole_number(value) not in range(1, MAX_TIER + 1):
            return _("Give a tier from 1 to %(max)d.") % {"max": MAX_TIER}
    elif kind == Kind.SET_PRIORITY:
        if _whole_number(value) not in Ticket.Priority.values:
            return _("Give a priority from 1 (low) to 4 (urgent).")
    elif kind == Kind.ASSIGN_AGENT:
        if macro and not value:
            return None  # a macro may unassign
        agents = User.objects.filter(email__iexact=value, is_active=True)
        if not agents.exclude(role=User.Role.CUSTOMER).exists():
            return _("No active agent uses the address “%(value)s”.") % {"value": value}
    elif kind == Kind.SET_STATUS:
        if value not in Ticket.Status.values:
            return _("Give one of the statuses: %(choices)s.") % {
                "choices": ", ".join(Ticket.Status.values)
            }
    elif kind == Kind.WEBHOOK:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            return _("Give the webhook's full http:// or https:// address.")
    elif not value:  # tags, skills, note, email template
        return _("This action needs a value.")
    return None


def apply_action(ticket: Ticket, kind: str, value: str, rule: str, *, secret: str = "") -> None:
    value = (value or "").strip()
    if kind == Kind.SET_QUEUE:
        services.update_ticket(ticket, actor=None, queue=queue_by_slug(value))
    elif kind == Kind.SET_TIER:
        services.update_ticket(ticket, actor=None, tier=int(value))
    elif kind == Kind.SET_PRIORITY:
        services.update_ticket(ticket, actor=None, priority=int(value))
    elif kind == Kind.SET_TYPE:
        ticket_type = TicketType.objects.get(slug=value)
        services.update_ticket(ticket, actor=None, ticket_type=ticket_type)
    elif kind == Kind.ADD_TAGS:
        add_tags(ticket, [t.lower() for t in _split(value)], rule=rule)
    elif kind == Kind.REQUIRE_SKILLS:
        require_skills(ticket, _split(value))
    elif kind == Kind.ASSIGN_AGENT:
        agent = User.objects.get(email__iexact=value)
        services.assign(ticket, actor=None, assignee=agent)
    elif kind == Kind.ASSIGN_TEAM:
        from relaydesk.routing.assignment import auto_assign

        queue = queue_by_slug(value)
        if queue.pk != ticket.queue_id:
            services.update_ticket(ticket, actor=None, queue=queue)
        if ticket.assignee_id and not ticket.assignee.memberships.filter(queue=queue).exists():
            services.assign(ticket, actor=None, assignee=None)
        auto_assign(ticket, rule=rule)
    elif kind == Kind.SET_STATUS:
        services.change_status(ticket, actor=None, status=value)
    elif kind == Kind.ADD_NOTE:
        services.post_message(
            ticket,
            actor=None,
            body=render(value, ticket),
            channel=Ticket.Channel.DESK,
            internal=True,
        )
    elif kind in extra_handlers:
        extra_handlers[kind](ticket, value, rule, secret)
    else:
        raise ValidationError(f"Action {kind} is not available here.")


def apply_actions(ticket: Ticket, actions, rule: str) -> None:
    """Run ACTIONS of rule RULE in order. A broken action is logged and skipped: the ticket
    is still created (a savepoint undoes only that action's partial changes)."""
    with services.acting_rule(rule):
        for action in actions:
            try:
                with transaction.atomic():
                    apply_action(
                        ticket,
                        action.kind,
                        action.value,
                        rule,
                        secret=getattr(action, "secret", ""),
                    )
            except (ValidationError, ValueError, ObjectDoesNotExist) as exc:
                logger.warning(
                    "rule %r: action %s %r failed: %s", rule, action.kind, action.value, exc
                )
                ticket.refresh_from_db()
