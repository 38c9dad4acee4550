"""/tickets: thin adapters over tickets/services.py (writes) and tickets/queries.py (reads).

Every ticket is fetched through `queries.get_ticket`, so a ticket the caller may not see is
a 404 on every endpoint, whatever the method.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from relaydesk.accounts.models import Queue, User
from relaydesk.api import rendering
from relaydesk.api.schemas import (
    PRIORITY_VALUES,
    AttachmentOut,
    ErrorOut,
    EscalateIn,
    EventOut,
    MessageIn,
    MessageOut,
    Ref,
    TicketDetailOut,
    TicketIn,
    TicketListParams,
    TicketPageOut,
    TicketPatch,
)
from relaydesk.core.pagination import BadCursor
from relaydesk.tickets import custom_fields, queries, services
from relaydesk.tickets.models import CustomField, Event, Ticket, TicketType

router = Router(tags=["tickets"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# --- looking up what a request names -------------------------------------------------------


def _by_ref(qs, ref: Ref, field: str):
    """The row of QS named by id (a number) or slug; ValidationError on FIELD if none."""
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        row = qs.filter(pk=int(ref)).first()
    else:
        row = qs.filter(slug=ref).first()
    if row is None:
        raise ValidationError({field: _("There is no %(field)s %(ref)s.") % {"field": field,
                                                                          "ref": ref}})  # fmt: skip
    return row


def _queue(ref: Ref, *, active_only: bool = True) -> Queue:
    qs = Queue.objects.filter(is_active=True) if active_only else Queue.objects.all()
    return _by_ref(qs, ref, "queue")


def _type(ref: Ref, *, active_only: bool = True) -> TicketType:
    qs = TicketType.objects.filter(is_active=True) if active_only else TicketType.objects.all()
    return _by_ref(qs, ref, "type")


def _agent(email: str, field: str) -> User:
    user = (
        User.objects.filter(email__iexact=email.strip(), is_active=True)
        .exclude(role=User.Role.CUSTOMER)
        .first()
    )
    if user is None:
        raise ValidationError({field: _("There is no active agent with this email.")})
    return user


def _ticket(user: User, number: str) -> Ticket:
    parsed = queries.parse_number(number)
    if parsed is None:
        raise Http404(_("No such ticket"))
    return queries.get_ticket(user, parsed)


def _reload(ticket: Ticket) -> Ticket:
    # After a write the caller may no longer see the ticket (it moved to another queue);
    # it still gets the state it just set, read by primary key.
    return (
        queries.with_list_columns(Ticket.objects.filter(pk=ticket.pk))
        .select_related("organization", "follow_up_of")
        .get()
    )


def _clean_custom(fields: list[CustomField], values: dict, *, partial: bool = False) -> dict:
    """Validate custom values up front so that errors name the field as `custom.<key>`."""
    try:
        return custom_fields.clean_values(fields, values, partial=partial)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        raise ValidationError(
            {f"custom.{key}" if key else "custom": messages for key, messages in errors.items()}
        ) from exc


# --- endpoints -----------------------------------------------------------------------------


@router.get("/tickets", response={200: TicketPageOut, **ERRORS}, summary="List tickets")
def list_tickets(request, params: Query[TicketListParams]):
    """The tickets the caller may see, a page at a time (keyset pagination).

    With `q`, the search results come newest first and `sort` is ignored.
    """
    user = request.auth
    filters = queries.TicketFilter(statuses=list(params.status), tier=params.tier)
    if params.queue is not None:
        filters.queue_id = _queue(params.queue, active_only=False).pk
    if params.type is not None:
        filters.type_id = _type(params.type, active_only=False).pk
    if params.priority is not None:
        filters.priority = PRIORITY_VALUES[params.priority]
    if params.assignee:
        wanted = params.assignee.strip().lower()
        if wanted == "none":
            filters.unassigned = True
        elif wanted == "me":
            filters.assignee_id = user.pk
        else:
            filters.assignee_id = _agent(wanted, "assignee").pk
    if params.q and params.q.strip():
        if params.cursor and not params.cursor.isdigit():
            raise BadCursor("not a search cursor")
        page = queries.search_tickets(
            user, params.q.strip(), filters, cursor=params.cursor, size=params.limit
        )
    else:
        page = queries.list_tickets(
            user, filters, sort=params.sort, cursor=params.cursor, size=params.limit
        )
    custom = rendering.CustomFilter(user)
    return {
        "items": [rendering.ticket(t, custom) for t in page.items],
        "next_cursor": page.next_cursor,
    }


@router.post("/tickets", response={201: TicketDetailOut, **ERRORS}, summary="Open a ticket")
def create_ticket(request, payload: TicketIn):
    """Open a ticket (channel `api`). Agents may open one for an existing customer by
    giving `requester`; customers open tickets for themselves only."""
    user = request.auth
    requester = user
    if payload.requester and payload.requester.strip().lower() != user.email.lower():
        if user.is_customer:
            raise PermissionDenied(_("Customers can only open tickets for themselves."))
        requester = User.objects.filter(
            email__iexact=payload.requester.strip(), role=User.Role.CUSTOMER, is_active=True
        ).first()
        if requester is None:
            raise ValidationError({"requester": _("There is no active customer with this email.")})
    queue = _queue(payload.queue) if payload.queue is not None else None
    ticket_type = _type(payload.type) if payload.type is not None else None
    fields = custom_fields.fields_for_type(ticket_type, customer=user.is_customer)
    custom = _clean_custom(fields, payload.custom)
    is_html = payload.body_html is not None
    ticket = services.open_ticket(
        actor=user,
        requester=requester,
        subject=payload.subject,
        body=payload.body_html if is_html else payload.body,
        body_is_html=is_html,
        channel=Ticket.Channel.API,
        queue=queue,
        ticket_type=ticket_type,
        priority=PRIORITY_VALUES[payload.priority],
        custom=custom,
    )
    return Status(201, rendering.ticket_detail(_reload(ticket), user))


@router.get("/tickets/{number}", response={200: TicketDetailOut, **ERRORS}, summary="A ticket")
def get_ticket(request, number: str):
    """One ticket by number (`1042` or `RD-1042`), with its custom fields."""
    return rendering.ticket_detail(_ticket(request.auth, number), request.auth)


@router.patch("/tickets/{number}", response={200: TicketDetailOut, **ERRORS},
              summary="Change a ticket")  # fmt: skip
def update_ticket(request, number: str, payload: TicketPatch):
    """Change fields, assignee and status in one step: all of it or nothing.

    Agents change anything; customers may only change the status of their own tickets
    (close, reopen). `assignee: null` unassigns; `type: null` clears the type.
    """
    with transaction.atomic():
        user = request.auth
        ticket = _ticket(user, number)
        data = payload.model_dump(exclude_unset=True)
        for name in ("subject", "priority", "queue", "tier", "custom", "status"):
            if name in data and data[name] is None:
                raise ValidationError({name: _("This field cannot be null.")})
        if user.is_customer and set(data) - {"status"}:
            # Checked before looking up what the fields name, so the answer is 403, not 422.
            raise PermissionDenied(_("Customers can only close or reopen their tickets."))
        changes: dict = {}
        if "subject" in data:
            changes["subject"] = data["subject"]
        if "priority" in data:
            changes["priority"] = PRIORITY_VALUES[data["priority"]]
        if "type" in data:
            changes["ticket_type"] = _type(data["type"]) if data["type"] is not None else None
        if "queue" in data:
            changes["queue"] = _queue(data["queue"])
        if "tier" in data:
            changes["tier"] = data["tier"]
        if "custom" in data:
            ticket_type = changes.get("ticket_type", ticket.ticket_type)
            fields = custom_fields.fields_for_type(ticket_type, customer=user.is_customer)
            changes["custom"] = _clean_custom(fields, data["custom"], partial=True)
        if changes:
            services.update_ticket(ticket, actor=user, **changes)
        if "assignee" in data:
            assignee = _agent(data["assignee"], "assignee") if data["assignee"] else None
            services.assign(ticket, actor=user, assignee=assignee)
        if "status" in data:
            services.change_status(ticket, actor=user, status=data["status"])
        return rendering.ticket_detail(_reload(ticket), user)


@router.post("/tickets/{number}/escalate", response={200: TicketDetailOut, **ERRORS},
             summary="Escalate a ticket")  # fmt: skip
def escalate_ticket(request, number: str, payload: EscalateIn):
    """Hand the ticket to a higher tier and/or another queue (agents). Without `tier` or
    `queue` it goes one tier up; it is unassigned unless `assignee` names an agent."""
    user = request.auth
    ticket = _ticket(user, number)
    services.escalate(
        ticket,
        actor=user,
        reason=payload.reason,
        tier=payload.tier,
        queue=_queue(payload.queue) if payload.queue is not None else None,
        assignee=_agent(payload.assignee, "assignee") if payload.assignee else None,
    )
    return rendering.ticket_detail(_reload(ticket), user)


@router.get("/tickets/{number}/messages", response={200: list[MessageOut], **ERRORS},
            summary="The conversation")  # fmt: skip
def list_messages(request, number: str):
    """Replies and notes, oldest first. Customers get the public replies only."""
    user = request.auth
    ticket = _ticket(user, number)
    return [
        rendering.message(entry.item, ticket.number, list(entry.item.attachments.all()))
        for entry in queries.timeline(user, ticket)
        if entry.kind == "message"
    ]


@router.post("/tickets/{number}/messages", response={201: MessageOut, **ERRORS},
             summary="Reply or add a note")  # fmt: skip
def post_message(request, number: str, payload: MessageIn):
    """A public reply, or an internal note (`internal: true`, agents only).

    A customer's reply to a ticket closed too long ago opens a follow-up ticket: the
    message's `ticket` then names the new ticket.
    """
    user = request.auth
    ticket = _ticket(user, number)
    is_html = payload.body_html is not None
    message = services.post_message(
        ticket,
        actor=user,
        body=payload.body_html if is_html else payload.body,
        body_is_html=is_html,
        channel=Ticket.Channel.API,
        internal=payload.internal,
        new_status=payload.status,
    )
    number_of = ticket.number if message.ticket_id == ticket.pk else message.ticket.number
    return Status(201, rendering.message(message, number_of, []))


@router.post("/tickets/{number}/attachments", response={201: list[AttachmentOut], **ERRORS},
             summary="Attach files")  # fmt: skip
def add_attachments(request, number: str, files: File[list[UploadedFile]]):
    """Attach files to the ticket (multipart/form-data, field `files`, repeatable)."""
    user = request.auth
    ticket = _ticket(user, number)
    stored = services.add_attachments(ticket, actor=user, files=files)
    return Status(201, [rendering.attachment(a) for a in stored])


@router.get("/tickets/{number}/events", response={200: list[EventOut], **ERRORS},
            summary="The audit trail")  # fmt: skip
def list_events(request, number: str):
    """Every change to the ticket, oldest first (agents only)."""
    user = request.auth
    ticket = _ticket(user, number)
    if not user.is_agent:
        raise PermissionDenied(_("Only agents can read the audit trail."))
    # An agent who may see the ticket sees its whole history (as in queries.timeline).
    rows = Event.objects.filter(ticket=ticket).select_related("actor").order_by("created_at", "id")
    return [rendering.event(e) for e in rows]


@router.get("/attachments/{attachment_id}", response={200: None, **ERRORS},
            url_name="attachment_download", summary="Download an attachment")  # fmt: skip
def download_attachment(request, attachment_id: int):
    """The file, if the caller may see its ticket (and, for internal notes, is an agent)."""
    attachment = queries.get_attachment(request.auth, attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
