"""Who is told what. Every handler runs in the task queue after commit.

A cheap test on each event's payload (the subscriber's `applies`) queues the handler only
when someone may have to be told, so routine changes add no rows to the task queue.
"""

from django.db.models import Q
from django.utils.translation import gettext as _
from django_tasks import task

from relaydesk.accounts.models import User
from relaydesk.core.events import subscribe
from relaydesk.notifications.models import Kind
from relaydesk.notifications.services import notify
from relaydesk.tickets.models import Message, Ticket

URGENT = Ticket.Priority.URGENT


def _ticket(payload: dict) -> Ticket | None:
    return (
        Ticket.objects.select_related("requester", "assignee", "queue")
        .filter(id=payload["ticket_id"])
        .first()
    )


def queue_agents(ticket: Ticket, min_tier: int | None = None):
    agents = User.objects.filter(memberships__queue_id=ticket.queue_id, is_active=True).exclude(
        role=User.Role.CUSTOMER
    )
    if min_tier:
        agents = agents.filter(tier__gte=min_tier)
    return list(agents.distinct())


def _owners(ticket: Ticket) -> list[User]:
    """The assignee, or the whole queue while nobody has the ticket."""
    return [ticket.assignee] if ticket.assignee_id else queue_agents(ticket)


def _label(ticket: Ticket) -> str:
    return f"{ticket.reference} {ticket.subject}"


def _urgent_alert(ticket: Ticket, actor_id) -> None:
    notify(
        queue_agents(ticket),
        Kind.URGENT,
        ticket,
        _("Urgent: %s") % _label(ticket),
        urgent=True,
        exclude_id=actor_id,
    )


def on_created(payload: dict) -> None:
    ticket = _ticket(payload)
    if ticket is None:
        return
    actor_id = payload.get("actor_id")
    if ticket.priority == URGENT:
        _urgent_alert(ticket, actor_id)
    else:
        notify(
            queue_agents(ticket),
            Kind.NEW_IN_QUEUE,
            ticket,
            _("New in %(queue)s: %(ticket)s") % {"queue": ticket.queue, "ticket": _label(ticket)},
            exclude_id=actor_id,
        )
    notify(
        [ticket.requester],
        Kind.RECEIVED,
        ticket,
        _("We received your request %(ref)s: %(subject)s")
        % {"ref": ticket.reference, "subject": ticket.subject},
    )


def on_updated(payload: dict) -> None:
    ticket = _ticket(payload)
    if ticket is not None and ticket.priority == URGENT:
        _urgent_alert(ticket, payload.get("actor_id"))


def on_assigned(payload: dict) -> None:
    ticket = _ticket(payload)
    if ticket is not None and ticket.assignee_id:
        notify(
            [ticket.assignee],
            Kind.ASSIGNED,
            ticket,
            _("Assigned to you: %s") % _label(ticket),
            urgent=ticket.priority == URGENT,
            exclude_id=payload.get("actor_id"),
        )


def on_shared(payload: dict) -> None:
    ticket = _ticket(payload)
    user = User.objects.filter(id=payload.get("user_id")).first()
    if ticket is not None and user is not None:
        notify(
            [user],
            Kind.SHARED,
            ticket,
            _("Shared with you: %s") % _label(ticket),
            exclude_id=payload.get("actor_id"),
        )


def on_message(payload: dict) -> None:
    ticket = _ticket(payload)
    message = Message.objects.select_related("author").filter(id=payload.get("message_id")).first()
    if ticket is None or message is None or message.author is None:
        return
    if message.author.is_customer:
        notify(
            _owners(ticket),
            Kind.CUSTOMER_REPLY,
            ticket,
            _("Customer replied: %s") % _label(ticket),
            exclude_id=message.author_id,
        )
    else:
        notify(
            [ticket.requester],
            Kind.ANSWERED,
            ticket,
            _("Your request %(ref)s was answered") % {"ref": ticket.reference},
            exclude_id=message.author_id,
        )


def on_escalated(payload: dict) -> None:
    ticket = _ticket(payload)
    if ticket is None:
        return
    targets = [ticket.assignee] if ticket.assignee_id else queue_agents(ticket, ticket.tier)
    notify(
        targets,
        Kind.ESCALATED,
        ticket,
        _("Escalated to tier %(tier)s: %(ticket)s")
        % {"tier": ticket.tier, "ticket": _label(ticket)},
        urgent=ticket.priority == URGENT,
        exclude_id=payload.get("actor_id"),
    )


def on_deescalated(payload: dict) -> None:
    """The named agent, or the queue's agents who work the new (lower) tier."""
    ticket = _ticket(payload)
    if ticket is None:
        return
    targets = [ticket.assignee] if ticket.assignee_id else queue_agents(ticket, ticket.tier)
    notify(
        targets,
        Kind.ESCALATED,
        ticket,
        _("De-escalated to tier %(tier)s: %(ticket)s")
        % {"tier": ticket.tier, "ticket": _label(ticket)},
        urgent=ticket.priority == URGENT,
        exclude_id=payload.get("actor_id"),
    )


def on_status(payload: dict) -> None:
    ticket = _ticket(payload)
    if ticket is not None:
        notify(
            [ticket.requester],
            Kind.RESOLVED,
            ticket,
            _("Your request %(ref)s was resolved") % {"ref": ticket.reference},
            exclude_id=payload.get("actor_id"),
        )


def on_sla(payload: dict) -> None:
    ticket = _ticket(payload)
    if ticket is None:
        return
    breach = payload.get("moment") == "breach"
    kind = Kind.SLA_BREACHED if breach else Kind.SLA_WARNING
    target = payload.get("target", "").replace("_", " ")
    title = (
        _("SLA breached (%(target)s): %(ticket)s")
        if breach
        else _("SLA due soon (%(target)s): %(ticket)s")
    ) % {"target": target, "ticket": _label(ticket)}
    if payload.get("who") == "notify_supervisors":
        users = list(User.objects.filter(Q(role=User.Role.SUPERVISOR), is_active=True))
    else:
        users = _owners(ticket)
    notify(users, kind, ticket, title, urgent=breach)


def _priority_raised_by_hand_or_sla(payload: dict) -> bool:
    rule = payload.get("rule", "")  # routing at creation is covered by on_created
    return "priority" in payload.get("fields", []) and (not rule or rule.startswith("SLA"))


HANDLERS = {
    "ticket.created": (on_created, lambda p: True),
    "ticket.updated": (on_updated, _priority_raised_by_hand_or_sla),
    "ticket.assigned": (on_assigned, lambda p: p.get("assignee_id") is not None),
    "ticket.shared": (on_shared, lambda p: True),
    "message.posted": (on_message, lambda p: not p.get("internal")),
    "ticket.escalated": (on_escalated, lambda p: True),
    "ticket.deescalated": (on_deescalated, lambda p: True),
    "ticket.status_changed": (on_status, lambda p: p.get("new") == Ticket.Status.RESOLVED),
    "sla.notify": (on_sla, lambda p: True),
}


def _wanted(payload: dict) -> bool:
    return HANDLERS[payload["event"]][1](payload)


@subscribe(*HANDLERS, applies=_wanted)
def deliver_notifications(payload: dict) -> None:
    """Tell whoever this event concerns (in the worker, only when anyone may need telling)."""
    HANDLERS[payload["event"]][0](payload)


@task()
def deliver(payload: dict) -> None:
    """Kept for tasks queued before notifications became a deferred subscriber."""
    HANDLERS[payload["event"]][0](payload)
