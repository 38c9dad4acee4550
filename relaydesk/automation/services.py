"""Macros (applied by an agent, with the agent's permissions) and scheduled rules."""

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from relaydesk.accounts.models import Queue, User
from relaydesk.automation import outbound
from relaydesk.automation.leases import worker_name
from relaydesk.automation.models import Macro, ScheduledRule, ScheduledRuleRun
from relaydesk.routing.actions import add_tags, render
from relaydesk.routing.models import ActionBase
from relaydesk.tickets import services
from relaydesk.tickets.models import Ticket, TicketType

logger = logging.getLogger(__name__)
Kind = ActionBase.Kind


def macros_for(user: User):
    """Shared macros and the agent's own."""
    if not user.is_agent:
        return Macro.objects.none()
    return Macro.objects.filter(Q(owner__isnull=True) | Q(owner=user)).order_by("name")


@transaction.atomic
def apply_macro(ticket: Ticket, *, actor: User, macro: Macro) -> Ticket:
    """Post the macro's reply and make its field changes as ACTOR (an agent who may)."""
    if not macros_for(actor).filter(id=macro.id).exists():
        raise PermissionDenied(_("You cannot use this macro."))
    changes = {}
    assignee = False
    for action in macro.actions.all():
        value = action.value.strip()
        if action.kind == Kind.SET_PRIORITY:
            changes["priority"] = int(value)
        elif action.kind == Kind.SET_TIER:
            changes["tier"] = int(value)
        elif action.kind == Kind.SET_QUEUE:
            changes["queue"] = Queue.objects.get(slug=value)
        elif action.kind == Kind.SET_TYPE:
            changes["ticket_type"] = TicketType.objects.get(slug=value)
        elif action.kind == Kind.ASSIGN_AGENT:
            assignee = User.objects.get(email__iexact=value) if value else None
        elif action.kind == Kind.ADD_TAGS:
            services._require_agent(actor, ticket)
            add_tags(ticket, [t.strip().lower() for t in value.split(",") if t.strip()])
    if changes:
        services.update_ticket(ticket, actor=actor, **changes)
    if assignee is not False:
        services.assign(ticket, actor=actor, assignee=assignee)
    if macro.reply.strip():
        services.post_message(
            ticket,
            actor=actor,
            body=render(macro.reply, ticket),
            channel=Ticket.Channel.DESK,
            internal=macro.internal,
            new_status=macro.new_status or None,
        )
    elif macro.new_status and macro.new_status != ticket.status:
        services.change_status(ticket, actor=actor, status=macro.new_status)
    return ticket


# --- scheduled rules ---------------------------------------------------------------------------


def run_scheduled_rules(now: dt.datetime | None = None, limit: int = 500) -> int:
    """Apply every active scheduled rule to the tickets it is due for; return how many.

    The (rule, ticket, quiet spell) row is inserted before acting, in the same transaction,
    so even two overlapping runs act on each ticket once.
    """
    now = now or timezone.now()
    done = 0
    for rule in ScheduledRule.objects.filter(is_active=True):
        cutoff = now - dt.timedelta(hours=rule.after_hours)
        already = ScheduledRuleRun.objects.filter(
            rule=rule, ticket=OuterRef("pk"), ticket_updated_at=OuterRef("updated_at")
        )
        tickets = (
            Ticket.objects.filter(status=rule.status, updated_at__lte=cutoff)
            .exclude(Exists(already))
            .order_by("updated_at", "id")[:limit]
        )
        for ticket in tickets:
            done += _apply_scheduled(rule, ticket)
    return done


def _apply_scheduled(rule: ScheduledRule, ticket: Ticket) -> int:
    try:
        with transaction.atomic():
            ScheduledRuleRun.objects.create(
                rule=rule, ticket=ticket, worker=worker_name(), ticket_updated_at=ticket.updated_at
            )
            with services.acting_rule(f"scheduled {rule.name}"):
                if rule.action == ScheduledRule.Action.SET_STATUS:
                    services.change_status(ticket, actor=None, status=rule.value.strip())
                elif rule.action == ScheduledRule.Action.ADD_NOTE:
                    services.post_message(
                        ticket,
                        actor=None,
                        body=render(rule.value, ticket),
                        channel=Ticket.Channel.DESK,
                        internal=True,
                    )
                else:
                    ticket_id, text = ticket.id, rule.value
                    transaction.on_commit(lambda: outbound.email_customer.enqueue(ticket_id, text))
        return 1
    except IntegrityError:
        return 0  # another worker acted on this ticket for this rule already
    except Exception:
        logger.exception("scheduled rule %r failed on ticket %s", rule.name, ticket.id)
        return 0
