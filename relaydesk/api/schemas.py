"""The shapes of requests and responses. Request bodies refuse unknown fields (422)."""

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from relaydesk.accounts.models import MAX_TIER
from relaydesk.tickets.models import Ticket
from relaydesk.tickets.queries import SORTS

StatusName = Literal["new", "in_progress", "waiting", "resolved", "closed", "feedback"]
PriorityName = Literal["low", "normal", "high", "urgent"]
SortName = Literal["updated", "oldest", "created", "priority"]

PRIORITY_NAMES: dict[int, str] = {p.value: p.name.lower() for p in Ticket.Priority}
PRIORITY_VALUES: dict[str, int] = {name: value for value, name in PRIORITY_NAMES.items()}

# A queue or ticket type is named by its id or its slug.
Ref = int | str

# The literals spell the choices out for the OpenAPI schema; keep them in step with the models.
assert set(StatusName.__args__) == set(Ticket.Status.values)
assert set(PriorityName.__args__) == set(PRIORITY_VALUES)
assert set(SortName.__args__) == set(SORTS)


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


# --- responses -----------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


class PersonOut(Schema):
    email: str
    name: str


class QueueRef(Schema):
    id: int
    name: str
    slug: str


class TypeRef(Schema):
    id: int
    name: str
    slug: str


class OrganizationRef(Schema):
    id: int
    name: str


class TicketOut(Schema):
    number: int
    reference: str = Field(examples=["RD-1042"])
    subject: str
    status: StatusName
    priority: PriorityName
    channel: str
    queue: QueueRef
    tier: int
    type: TypeRef | None
    requester: PersonOut
    organization: OrganizationRef | None
    assignee: PersonOut | None
    created_at: datetime
    updated_at: datetime
    custom: dict[str, Any]


class CustomFieldOut(Schema):
    key: str
    label: str
    kind: str
    required: bool
    customer_visible: bool
    choices: list[str]
    help_text: str


class FieldValueOut(Schema):
    key: str
    label: str
    kind: str
    value: Any
    display: str


class TicketDetailOut(TicketOut):
    fields: list[FieldValueOut] = Field(
        description="The custom fields of the ticket's type, in form order, with their values."
    )
    allowed_statuses: list[StatusName] = Field(
        description="The statuses the caller may move the ticket to now."
    )
    follow_up_of: int | None = Field(description="Number of the ticket this one follows up.")
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None


class TicketPageOut(Schema):
    items: list[TicketOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    url: str


class MessageOut(Schema):
    id: int
    ticket: int = Field(
        description="Number of the ticket it belongs to (a reply to a ticket closed too long "
        "ago opens a follow-up ticket)."
    )
    author: PersonOut | None
    internal: bool
    channel: str
    body_html: str
    body_text: str
    created_at: datetime
    attachments: list[AttachmentOut]


class EventOut(Schema):
    id: int
    kind: str
    field: str
    old_value: str
    new_value: str
    note: str
    actor: PersonOut | None
    created_at: datetime


class MeOut(Schema):
    id: int
    email: str
    name: str
    role: str
    tier: int
    organization: OrganizationRef | None
    is_org_manager: bool
    time_zone: str
    queues: list[QueueRef]


class QueueOut(QueueRef):
    description: str


class TicketTypeOut(TypeRef):
    fields: list[CustomFieldOut]


# --- requests ------------------------------------------------------------------------------


class TicketListParams(Schema):
    status: list[StatusName] = Field(
        default_factory=list, description="Repeat to match any of several statuses."
    )
    queue: Ref | None = Field(None, description="Queue id or slug.")
    assignee: str | None = Field(
        None, description="An agent's email, `me`, or `none` for unassigned tickets."
    )
    tier: int | None = Field(None, ge=1, le=MAX_TIER)
    priority: PriorityName | None = None
    type: Ref | None = Field(None, description="Ticket type id or slug.")
    q: str | None = Field(
        None, description="Search words or a ticket number; results come newest first."
    )
    sort: SortName = "updated"
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=100)


class TicketIn(Strict):
    subject: str = Field(min_length=1, max_length=500)
    body: str = Field("", description="Plain-text description (or give body_html).")
    body_html: str | None = Field(None, description="HTML description; it is sanitized.")
    queue: Ref | None = Field(None, description="Queue id or slug; default: the first queue.")
    type: Ref | None = Field(None, description="Ticket type id or slug.")
    priority: PriorityName = "normal"
    custom: dict[str, Any] = Field(
        default_factory=dict, description="Custom field values by key, as the type defines."
    )
    requester: str | None = Field(
        None,
        description="Email of an existing customer the ticket is for (agents only); "
        "default: the caller.",
    )


class TicketPatch(Strict):
    subject: str | None = Field(None, min_length=1, max_length=500)
    priority: PriorityName | None = None
    type: Ref | None = None
    queue: Ref | None = None
    tier: int | None = Field(None, ge=1, le=MAX_TIER)
    custom: dict[str, Any] | None = None
    status: StatusName | None = None
    assignee: str | None = Field(None, description="An agent's email, or null to unassign.")


class EscalateIn(Strict):
    reason: str = Field(min_length=1)
    tier: int | None = Field(None, ge=1, le=MAX_TIER)
    queue: Ref | None = None
    assignee: str | None = Field(None, description="Email of the agent to hand it to.")


class MessageIn(Strict):
    body: str = ""
    body_html: str | None = Field(None, description="HTML body; it is sanitized.")
    internal: bool = Field(False, description="An internal note (agents only).")
    status: StatusName | None = Field(
        None, description="Move the ticket to this status in the same step (agents only)."
    )
