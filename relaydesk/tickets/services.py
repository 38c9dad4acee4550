"""THE write path for tickets. Portal, desk, API, mail and admin all call these functions.

Each function checks that the actor may do it, makes the change, writes the audit `Event`
rows in the same transaction, and publishes a domain event (subscribers that are not
synchronous run after commit, in the task queue). Nothing else saves a ticket.
"""

import math
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relaydesk.accounts.models import MAX_TIER, Queue, User
from relaydesk.core import events, fastsql
from relaydesk.core.html import html_to_text, sanitize_html, text_to_html
from relaydesk.core.models import next_value
from relaydesk.tickets import custom_fields, workflow
from relaydesk.tickets.models import (
    Attachment,
    Event,
    Message,
    Ticket,
    TicketShare,
    TicketType,
)
from relaydesk.tickets.queries import visible_tickets

Status = Ticket.Status


# --- helpers -------------------------------------------------------------------------------

# Automated changes (routing rules, SLA actions, triggers) pass actor=None: the system, which
# skips permission checks. The rule that acts is named in each audit row's note.
_acting_rule: ContextVar[str] = ContextVar("acting_rule", default="")


@contextmanager
def acting_rule(name: str) -> Iterator[None]:
    """Within this block, changes made with actor=None are recorded as made by rule NAME."""
    token = _acting_rule.set(name)
    try:
        yield
    finally:
        _acting_rule.reset(token)


# The moment of the ticket being created, while its creation's synchronous subscribers run:
# what routing rules and the assignment strategy change happens at that same moment, so the
# ticket's last activity does not move and its indexes on it are not rewritten.
_creation_moment: ContextVar = ContextVar("creation_moment", default=None)


def _now():
    return _creation_moment.get() or timezone.now()


def _is_customer(actor: User | None) -> bool:
    return actor is not None and actor.is_customer


def _obviously_visible(actor: User, ticket: Ticket) -> bool:
    """What visible_tickets() grants without a query: staff who see all, the requester, the
    assignee. Anything else (queues, shares, organizations) is asked of the database."""
    if not actor.is_active:
        return False
    return (
        actor.sees_all_tickets
        or ticket.requester_id == actor.pk
        or (actor.is_agent and ticket.assignee_id == actor.pk)
    )


def _require_visible(actor: User | None, ticket: Ticket) -> None:
    if actor is None or _obviously_visible(actor, ticket):
        return
    if not visible_tickets(actor).filter(id=ticket.id).exists():
        raise PermissionDenied(_("You cannot see this ticket."))


def _require_agent(actor: User | None, ticket: Ticket) -> None:
    if actor is None:
        return
    if not actor.is_agent:
        raise PermissionDenied(_("Only agents can do this."))
    _require_visible(actor, ticket)


def _event_fields(ticket: Ticket, actor: User | None, kind: str, **fields) -> dict:
    if actor is None and _acting_rule.get():
        rule_note = f"rule: {_acting_rule.get()}"
        fields["note"] = f"{rule_note}\n{fields['note']}" if fields.get("note") else rule_note
    return {"ticket": ticket, "actor": actor, "kind": kind, **fields}


def _event(ticket: Ticket, actor: User | None, kind: str, **fields) -> Event:
    """An unsaved audit row, for writing several at once."""
    return Event(**_event_fields(ticket, actor, kind, **fields))


def _record(ticket: Ticket, actor: User | None, kind: str, **fields) -> Event:
    event = _event(ticket, actor, kind, **fields)
    fastsql.insert([event])
    return event


# The ticket (and message) whose event the synchronous subscribers are handling right now,
# so they use the very object the service holds instead of fetching the row again.
_at_hand: ContextVar[tuple[Ticket, Message | None] | None] = ContextVar("at_hand", default=None)


def ticket_at_hand(ticket_id: int) -> Ticket | None:
    """The in-memory ticket of the event being published, if it is TICKET_ID (sync subscribers
    only: it is the service's own object, so changes made through services show on it)."""
    at_hand = _at_hand.get()
    return at_hand[0] if at_hand is not None and at_hand[0].id == ticket_id else None


def message_at_hand(message_id: int | None) -> Message | None:
    at_hand = _at_hand.get()
    if at_hand is None or at_hand[1] is None or message_id is None:
        return None
    return at_hand[1] if at_hand[1].id == message_id else None


def _publish(
    name: str, ticket: Ticket, actor: User | None, *, message: Message | None = None, **extra
) -> None:
    token = _at_hand.set((ticket, message))
    try:
        events.publish(
            name,
            {
                "ticket_id": ticket.id,
                "number": ticket.number,
                "actor_id": actor.id if actor else None,
                **({"rule": _acting_rule.get()} if actor is None and _acting_rule.get() else {}),
                **extra,
            },
        )
    finally:
        _at_hand.reset(token)


def _body(body: str, *, is_html: bool) -> tuple[str, str]:
    """(sanitized html, text) for a message body given as HTML or as plain text."""
    if is_html:
        clean = sanitize_html(body)
        return clean, html_to_text(clean)
    return text_to_html(body), (body or "").strip()


def check_upload(upload) -> None:
    """Reject a file over the size limit with a message the uploader can act on."""
    if upload.size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("%(name)s is %(size).1f MB; files may be at most %(limit)d MB.")
            % {
                "name": upload.name,
                # Rounded up, so a file just over the limit never reads as "20.0 MB".
                "size": math.ceil(upload.size * 10 / 1024 / 1024) / 10,
                "limit": settings.MAX_UPLOAD_BYTES // 1024 // 1024,
            }
        )


def _safe_filename(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip().strip(".")
    return (base or "attachment")[:255]


def _store_attachments(
    ticket: Ticket, actor: User | None, uploads: Iterable, message: Message | None = None
) -> list[Attachment]:
    uploads = list(uploads)
    # Check every file before writing any, so a refused upload leaves no file behind.
    for upload in uploads:
        check_upload(upload)
    stored = []
    for upload in uploads:
        name = _safe_filename(upload.name)
        attachment = Attachment(
            ticket=ticket,
            message=message,
            filename=name,
            content_type=(getattr(upload, "content_type", None) or "application/octet-stream")[
                :100
            ],
            size=upload.size,
            uploaded_by=actor,
        )
        attachment.file.save(name, File(upload, name=name), save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def _touch(ticket: Ticket, now, *fields: str) -> None:
    if ticket.updated_at != now:
        ticket.updated_at = now
        fields = (*fields, "updated_at")
    if fields:
        fastsql.update(ticket, fields)


def _set_status(ticket: Ticket, actor: User | None, new: str, now, note: str = "") -> None:
    old = ticket.status
    if old == new:
        return
    ticket.status = new
    fields = ["status"]
    if new == Status.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
    if new == Status.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
    _touch(ticket, now, *fields)
    _record(ticket, actor, Event.Kind.STATUS, field="status", old_value=old, new_value=new,
            note=note)  # fmt: skip
    _publish("ticket.status_changed", ticket, actor, old=old, new=new)


def _check_assignee(assignee: User | None) -> None:
    if assignee is not None and (not assignee.is_agent or not assignee.is_active):
        raise ValidationError({"assignee": _("Tickets can only be assigned to active agents.")})


def _move(ticket: Ticket, actor: User | None, kind: str, event_name: str, *, tier: int,
          queue: Queue, assignee: User | None, reason: str) -> None:  # fmt: skip
    """Put the ticket at TIER in QUEUE with ASSIGNEE (escalation either way), audited."""
    now = _now()
    old = f"{ticket.queue.name} / tier {ticket.tier}"
    ticket.tier, ticket.queue, ticket.assignee = tier, queue, assignee
    _touch(ticket, now, "tier", "queue", "assignee")
    _record(ticket, actor, kind, field="tier", old_value=old,
            new_value=f"{queue.name} / tier {tier}", note=reason, created_at=now)  # fmt: skip
    _publish(event_name, ticket, actor, tier=tier, queue_id=queue.pk,
             assignee_id=assignee.pk if assignee else None, reason=reason)  # fmt: skip


# --- creating ------------------------------------------------------------------------------


def default_queue() -> Queue:
    queue = Queue.objects.filter(is_active=True).order_by("id").first()
    if queue is None:
        raise ValidationError(_("No queue is set up yet: an admin must create one first."))
    return queue


@transaction.atomic
def open_ticket(
    *,
    actor: User,
    requester: User,
    subject: str,
    body: str,
    channel: str,
    queue: Queue | None = None,
    ticket_type: TicketType | None = None,
    priority: int = Ticket.Priority.NORMAL,
    custom: dict | None = None,
    attachments: Sequence = (),
    body_is_html: bool = False,
    message_internal: bool = False,
) -> Ticket:
    """Open a ticket with its first message.

    A customer opens tickets only for itself; agents open them on behalf of anyone
    (a phone call, a walk-in). Subject and description are required. The returned ticket
    carries its first message as `ticket.opening_message`.
    """
    if actor.is_customer and actor.pk != requester.pk:
        raise PermissionDenied(_("Customers can only open tickets for themselves."))
    subject = " ".join((subject or "").split())
    if not subject:
        raise ValidationError({"subject": _("A subject is required.")})
    if not (body or "").strip():
        raise ValidationError({"body": _("A description is required.")})
    for upload in attachments:
        check_upload(upload)
    fields = custom_fields.fields_for_type(ticket_type, customer=actor.is_customer)
    custom = custom_fields.clean_values(fields, custom or {}) if fields or custom else {}
    now = _now()
    ticket = Ticket(
        number=next_value("ticket"),
        subject=subject[:500],
        channel=channel,
        queue=queue or default_queue(),
        ticket_type=ticket_type,
        priority=priority,
        requester=requester,
        organization_id=requester.organization_id,
        custom=custom,
        created_at=now,
        updated_at=now,
    )
    fastsql.insert([ticket])
    html, text = _body(body, is_html=body_is_html)
    message = Message(
        ticket=ticket,
        author=actor,
        is_internal=message_internal,
        channel=channel,
        body_html=html,
        body_text=text,
        created_at=now,
    )
    fastsql.insert([message])
    _store_attachments(ticket, actor, attachments, message)
    ticket.opening_message = message
    _record(ticket, actor, Event.Kind.CREATED, new_value=channel, created_at=now)
    token = _creation_moment.set(now)
    try:
        _publish("ticket.created", ticket, actor, message=message, channel=channel,
                 message_id=message.id)  # fmt: skip
    finally:
        _creation_moment.reset(token)
    return ticket


# --- conversation --------------------------------------------------------------------------


@transaction.atomic
def post_message(
    ticket: Ticket,
    *,
    actor: User,
    body: str,
    channel: str,
    internal: bool = False,
    attachments: Sequence = (),
    body_is_html: bool = False,
    new_status: str | None = None,
) -> Message:
    """Add a public reply or an internal note.

    Customers write public replies only. A customer reply moves a Waiting ticket back to
    In progress and a Resolved one to Feedback; on a Closed ticket it reopens it within the
    reopen window, or else opens a linked follow-up ticket that carries the message.
    Agents may set the status in the same step (e.g. reply and wait for the customer).
    """
    _require_visible(actor, ticket)
    if not (body or "").strip() and not attachments:
        raise ValidationError({"body": _("Write a message or attach a file.")})
    if _is_customer(actor) and (internal or new_status):
        raise PermissionDenied(_("Customers can only post public replies."))
    for upload in attachments:
        check_upload(upload)
    now = _now()
    if _is_customer(actor):
        target = workflow.status_after_customer_reply(ticket)
        if target is None:
            return _follow_up(ticket, actor, body, channel, attachments, body_is_html)
        _set_status(ticket, actor, target, now)
    html, text = _body(body, is_html=body_is_html)
    message = Message(
        ticket=ticket,
        author=actor,
        is_internal=internal,
        channel=channel,
        body_html=html,
        body_text=text,
        created_at=now,
    )
    fastsql.insert([message])
    _store_attachments(ticket, actor, attachments, message)
    fields = []
    if actor is not None and actor.is_agent and not internal and not ticket.first_response_at:
        ticket.first_response_at = now
        fields.append("first_response_at")
    _touch(ticket, now, *fields)
    _record(
        ticket,
        actor,
        Event.Kind.MESSAGE,
        new_value="internal" if internal else "public",
        created_at=now,
    )
    _publish("message.posted", ticket, actor, message=message, message_id=message.id,
             internal=internal, channel=channel)  # fmt: skip
    if new_status and new_status != ticket.status:
        _change_status(ticket, actor, new_status, now)
    return message


def _follow_up(ticket, actor, body, channel, attachments, body_is_html) -> Message:
    follow_up = open_ticket(
        actor=actor,
        requester=actor,
        subject=ticket.subject,
        body=body,
        channel=channel,
        queue=ticket.queue,
        ticket_type=ticket.ticket_type,
        priority=ticket.priority,
        attachments=attachments,
        body_is_html=body_is_html,
    )
    follow_up.follow_up_of = ticket
    follow_up.save(update_fields=["follow_up_of"])
    _record(ticket, actor, Event.Kind.FOLLOW_UP, new_value=follow_up.reference)
    _record(follow_up, actor, Event.Kind.FOLLOW_UP, old_value=ticket.reference)
    return follow_up.opening_message


# --- status --------------------------------------------------------------------------------


def _change_status(ticket: Ticket, actor: User | None, status: str, now, note: str = "") -> None:
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    allowed = workflow.allowed_statuses(ticket, as_customer=_is_customer(actor))
    if status not in allowed:
        if ticket.status == Status.CLOSED and status == Status.FEEDBACK:
            raise ValidationError(
                {"status": _("This ticket was closed too long ago to reopen; reply to open a "
                             "follow-up ticket instead.")}
            )  # fmt: skip
        raise ValidationError(
            {
                "status": _("A ticket cannot move from %(old)s to %(new)s.")
                % {"old": Status(ticket.status).label, "new": Status(status).label}
            }
        )
    _set_status(ticket, actor, status, now, note)


@transaction.atomic
def change_status(ticket: Ticket, *, actor: User, status: str, note: str = "") -> Ticket:
    """Move the ticket to STATUS if the workflow allows it for this actor.

    Customers may close their own tickets and reopen resolved (or recently closed) ones.
    """
    _require_visible(actor, ticket)
    if _is_customer(actor) and not _customer_owns(actor, ticket):
        raise PermissionDenied(_("Only the requester can close or reopen this ticket."))
    _change_status(ticket, actor, status, _now(), note)
    return ticket


def _customer_owns(actor: User, ticket: Ticket) -> bool:
    return ticket.requester_id == actor.pk or (
        actor.is_org_manager and ticket.organization_id == actor.organization_id
    )


# --- fields --------------------------------------------------------------------------------

EDITABLE_FIELDS = ("subject", "priority", "ticket_type", "queue", "tier", "custom")


def _display(value) -> str:
    if value is None:
        return ""
    return str(value)


@transaction.atomic
def update_ticket(ticket: Ticket, *, actor: User, **changes) -> Ticket:
    """Change subject, priority, type, queue, tier or custom fields (agents only)."""
    _require_agent(actor, ticket)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    if "tier" in changes and not 1 <= int(changes["tier"]) <= MAX_TIER:
        raise ValidationError({"tier": _("Tier must be between 1 and %d.") % MAX_TIER})
    if "subject" in changes:
        changes["subject"] = " ".join((changes["subject"] or "").split())[:500]
        if not changes["subject"]:
            raise ValidationError({"subject": _("A subject is required.")})
    if "custom" in changes:
        ticket_type = changes.get("ticket_type", ticket.ticket_type)
        fields = custom_fields.fields_for_type(ticket_type, customer=False)
        changes["custom"] = custom_fields.clean_values(fields, changes["custom"], partial=True)
    now = _now()
    changed = []
    for name, new in changes.items():
        old = getattr(ticket, name)
        if name == "custom":
            new = {**ticket.custom, **new}
            for key in sorted(set(old) | set(new)):
                if old.get(key) != new.get(key):
                    _record(ticket, actor, Event.Kind.FIELD, field=f"custom.{key}",
                            old_value=_display(old.get(key)), new_value=_display(new.get(key)),
                            created_at=now)  # fmt: skip
        elif old != new:
            _record(ticket, actor, Event.Kind.FIELD, field=name, old_value=_display(old),
                    new_value=_display(new), created_at=now)  # fmt: skip
        if old != new:
            setattr(ticket, name, new)
            changed.append(name)
    if changed:
        _touch(ticket, now, *changed)
        _publish("ticket.updated", ticket, actor, fields=changed)
    return ticket


@transaction.atomic
def assign(ticket: Ticket, *, actor: User, assignee: User | None) -> Ticket:
    """Give the ticket to ASSIGNEE (an active agent), or unassign it with None.

    Taking a New ticket starts the work: it moves to In progress.
    """
    _require_agent(actor, ticket)
    _check_assignee(assignee)
    if ticket.assignee_id == (assignee.pk if assignee else None):
        return ticket
    now = _now()
    old = ticket.assignee
    ticket.assignee = assignee
    records = [
        _event(
            ticket,
            actor,
            Event.Kind.ASSIGNED,
            field="assignee",
            old_value=_display(old),
            new_value=_display(assignee),
            created_at=now,
        )
    ]
    starts_work = assignee is not None and ticket.status == Status.NEW
    if starts_work:  # the status moves in the same UPDATE, audited as its own event
        ticket.status = Status.IN_PROGRESS
        records.append(_event(ticket, actor, Event.Kind.STATUS, field="status",
                              old_value=Status.NEW, new_value=Status.IN_PROGRESS,
                              created_at=now))  # fmt: skip
        _touch(ticket, now, "assignee", "status")
    else:
        _touch(ticket, now, "assignee")
    fastsql.insert(records)
    _publish("ticket.assigned", ticket, actor, assignee_id=assignee.pk if assignee else None)
    if starts_work:
        _publish("ticket.status_changed", ticket, actor, old=Status.NEW, new=Status.IN_PROGRESS)
    return ticket


@transaction.atomic
def escalate(
    ticket: Ticket,
    *,
    actor: User,
    reason: str,
    tier: int | None = None,
    queue: Queue | None = None,
    assignee: User | None = None,
) -> Ticket:
    """Hand the ticket up a tier and/or to another queue, with a reason.

    With neither tier nor queue given it goes one tier up. It is unassigned unless a target
    agent is named, so the next tier picks it up.
    """
    _require_agent(actor, ticket)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the ticket is escalated.")})
    new_queue = queue or ticket.queue
    new_tier = tier if tier is not None else (ticket.tier + 1 if queue is None else ticket.tier)
    if not 1 <= new_tier <= MAX_TIER:
        raise ValidationError({"tier": _("Tier must be between 1 and %d.") % MAX_TIER})
    if new_tier == ticket.tier and new_queue.pk == ticket.queue_id:
        raise ValidationError(_("Choose a higher tier or another queue to escalate to."))
    _check_assignee(assignee)
    _move(ticket, actor, Event.Kind.ESCALATED, "ticket.escalated",
          tier=new_tier, queue=new_queue, assignee=assignee, reason=reason)  # fmt: skip
    return ticket


@transaction.atomic
def deescalate(
    ticket: Ticket,
    *,
    actor: User,
    reason: str,
    tier: int | None = None,
    queue: Queue | None = None,
    assignee: User | None = None,
) -> Ticket:
    """Hand the ticket back down a tier (one by default), with a reason.

    The tier must be lower than the current one (and at least 1); a queue may change with it.
    Like escalation it is unassigned unless a target agent is named, and the target is told.
    """
    _require_agent(actor, ticket)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the ticket is de-escalated.")})
    new_tier = tier if tier is not None else ticket.tier - 1
    if new_tier < 1:
        raise ValidationError({"tier": _("The ticket is at tier 1 already.")})
    if new_tier >= ticket.tier:
        raise ValidationError({"tier": _("Choose a tier below the current tier %d.") % ticket.tier})
    _check_assignee(assignee)
    new_queue = queue or ticket.queue
    _move(ticket, actor, Event.Kind.DEESCALATED, "ticket.deescalated",
          tier=new_tier, queue=new_queue, assignee=assignee, reason=reason)  # fmt: skip
    return ticket


@transaction.atomic
def share(ticket: Ticket, *, actor: User, user: User) -> TicketShare:
    """Let a colleague see and comment on the ticket (agents share; anyone can be shared with)."""
    _require_agent(actor, ticket)
    if not user.is_active:
        raise ValidationError({"user": _("That account is disabled.")})
    if (
        user.is_customer
        and user.pk != ticket.requester_id
        and (ticket.organization_id is None or user.organization_id != ticket.organization_id)
    ):
        raise ValidationError(
            {"user": _("A ticket can only be shared with customers of its organization.")}
        )
    existing = TicketShare.objects.filter(ticket=ticket, user=user).first()
    if existing:
        return existing
    now = _now()
    share_row = TicketShare.objects.create(ticket=ticket, user=user, shared_by=actor,
                                           created_at=now)  # fmt: skip
    _touch(ticket, now)
    _record(ticket, actor, Event.Kind.SHARED, field="collaborators", new_value=_display(user),
            created_at=now)  # fmt: skip
    _publish("ticket.shared", ticket, actor, user_id=user.pk)
    return share_row


@transaction.atomic
def unshare(ticket: Ticket, *, actor: User, user: User) -> None:
    _require_agent(actor, ticket)
    deleted, _rows = TicketShare.objects.filter(ticket=ticket, user=user).delete()
    if deleted:
        now = _now()
        _touch(ticket, now)
        _record(ticket, actor, Event.Kind.UNSHARED, field="collaborators",
                old_value=_display(user), created_at=now)  # fmt: skip
        _publish("ticket.unshared", ticket, actor, user_id=user.pk)


@transaction.atomic
def add_attachments(ticket: Ticket, *, actor: User, files: Sequence) -> list[Attachment]:
    """Attach files to the ticket itself (visible to whoever sees the ticket)."""
    _require_visible(actor, ticket)
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")})
    stored = _store_attachments(ticket, actor, files)
    now = _now()
    _touch(ticket, now)
    for attachment in stored:
        _record(ticket, actor, Event.Kind.ATTACHMENT, new_value=attachment.filename,
                created_at=now)  # fmt: skip
    _publish("ticket.attachments_added", ticket, actor, ids=[a.id for a in stored])
    return stored
