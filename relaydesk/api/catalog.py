"""Who the caller is, and the vocabularies a client needs to open tickets: queues, types."""

from ninja import Router

from relaydesk.accounts.models import Queue
from relaydesk.api import rendering
from relaydesk.api.schemas import ErrorOut, MeOut, QueueOut, TicketTypeOut
from relaydesk.tickets.models import TicketType, TypeField

router = Router()

ERRORS = {401: ErrorOut}


@router.get("/me", response={200: MeOut, **ERRORS}, tags=["account"], summary="Who am I")
def me(request):
    user = request.auth
    organization = user.organization if user.organization_id else None
    queues = Queue.objects.filter(memberships__user=user).order_by("name") if user.is_agent else []
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.display_name,
        "role": user.role,
        "tier": user.tier,
        "organization": (
            {"id": organization.id, "name": organization.name} if organization else None
        ),
        "is_org_manager": user.is_org_manager,
        "time_zone": user.time_zone,
        "queues": [{"id": q.id, "name": q.name, "slug": q.slug} for q in queues],
    }


@router.get("/queues", response={200: list[QueueOut], **ERRORS}, tags=["catalog"],
            summary="Active queues")  # fmt: skip
def list_queues(request):
    return [
        {"id": q.id, "name": q.name, "slug": q.slug, "description": q.description}
        for q in Queue.objects.filter(is_active=True).order_by("name")
    ]


@router.get("/types", response={200: list[TicketTypeOut], **ERRORS}, tags=["catalog"],
            summary="Active ticket types and their custom fields")  # fmt: skip
def list_types(request):
    """Each type with the custom fields its form shows, in order (customers: the fields
    visible to them)."""
    types = list(TicketType.objects.filter(is_active=True))
    rows = TypeField.objects.filter(ticket_type__in=types).select_related("field")
    if request.auth.is_customer:
        rows = rows.filter(field__customer_visible=True)
    fields: dict[int, list] = {}
    for row in rows:
        fields.setdefault(row.ticket_type_id, []).append(rendering.custom_field(row.field))
    return [
        {"id": t.id, "name": t.name, "slug": t.slug, "fields": fields.get(t.id, [])} for t in types
    ]
