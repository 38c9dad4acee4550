"""Model objects to the JSON the API returns. Only what the caller may see goes out.

The functions read only what the queries already fetched (select_related / prefetch), so a
list costs the same number of queries whatever its length.
"""

from django.urls import reverse

from relaydesk.accounts.models import User
from relaydesk.api.schemas import PRIORITY_NAMES
from relaydesk.tickets import custom_fields, workflow
from relaydesk.tickets.models import Attachment, CustomField, Event, Message, Ticket


def person(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"email": user.email, "name": user.display_name}


def customer_visible_keys() -> set[str]:
    """The custom field keys a customer may read (one query, once per request)."""
    return set(CustomField.objects.filter(customer_visible=True).values_list("key", flat=True))


class CustomFilter:
    """Which custom values a viewer may read: agents all, customers the visible fields only."""

    def __init__(self, user: User):
        self.user = user
        self._visible: set[str] | None = None

    def __call__(self, values: dict) -> dict:
        if self.user.is_agent:
            return dict(values)
        if self._visible is None:
            self._visible = customer_visible_keys()
        return {key: value for key, value in values.items() if key in self._visible}


def ticket(obj: Ticket, custom: CustomFilter) -> dict:
    queue = obj.queue
    ticket_type = obj.ticket_type
    organization = obj.organization if obj.organization_id else None
    return {
        "number": obj.number,
        "reference": obj.reference,
        "subject": obj.subject,
        "status": obj.status,
        "priority": PRIORITY_NAMES.get(obj.priority, str(obj.priority)),
        "channel": obj.channel,
        "queue": {"id": queue.id, "name": queue.name, "slug": queue.slug},
        "tier": obj.tier,
        "type": (
            {"id": ticket_type.id, "name": ticket_type.name, "slug": ticket_type.slug}
            if ticket_type
            else None
        ),
        "requester": person(obj.requester),
        "organization": (
            {"id": organization.id, "name": organization.name} if organization else None
        ),
        "assignee": person(obj.assignee),
        "created_at": obj.created_at,
        "updated_at": obj.updated_at,
        "custom": custom(obj.custom or {}),
    }


def ticket_detail(obj: Ticket, viewer: User) -> dict:
    fields = custom_fields.fields_for_type(obj.ticket_type, customer=viewer.is_customer)
    values = obj.custom or {}
    data = ticket(obj, CustomFilter(viewer))
    if viewer.is_customer:
        # Only the fields of the ticket's own type that customers may see.
        data["custom"] = {f.key: values.get(f.key) for f in fields if f.key in values}
    data.update(
        fields=[
            {
                "key": f.key,
                "label": f.label,
                "kind": f.kind,
                "value": values.get(f.key),
                "display": custom_fields.display_value(f, values.get(f.key)),
            }
            for f in fields
        ],
        allowed_statuses=workflow.allowed_statuses(obj, as_customer=viewer.is_customer),
        follow_up_of=obj.follow_up_of.number if obj.follow_up_of_id else None,
        first_response_at=obj.first_response_at,
        resolved_at=obj.resolved_at,
        closed_at=obj.closed_at,
    )
    return data


def attachment(obj: Attachment) -> dict:
    return {
        "id": obj.id,
        "filename": obj.filename,
        "content_type": obj.content_type,
        "size": obj.size,
        "url": reverse("api:attachment_download", kwargs={"attachment_id": obj.id}),
    }


def message(obj: Message, number: int, attachments: list[Attachment] | None = None) -> dict:
    return {
        "id": obj.id,
        "ticket": number,
        "author": person(obj.author),
        "internal": obj.is_internal,
        "channel": obj.channel,
        "body_html": obj.body_html,
        "body_text": obj.body_text,
        "created_at": obj.created_at,
        "attachments": [attachment(a) for a in attachments or ()],
    }


def event(obj: Event) -> dict:
    return {
        "id": obj.id,
        "kind": obj.kind,
        "field": obj.field,
        "old_value": obj.old_value,
        "new_value": obj.new_value,
        "note": obj.note,
        "actor": person(obj.actor),
        "created_at": obj.created_at,
    }


def custom_field(cf: CustomField) -> dict:
    return {
        "key": cf.key,
        "label": cf.label,
        "kind": cf.kind,
        "required": cf.required,
        "customer_visible": cf.customer_visible,
        "choices": cf.choice_list(),
        "help_text": cf.help_text,
    }
