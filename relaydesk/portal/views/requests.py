"""The customer's request list and the new-request form."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from relaydesk.core.pagination import BadCursor
from relaydesk.portal.forms import RequestForm, apply_service_error
from relaydesk.portal.views.access import customer_only, may_see_organization
from relaydesk.portal.views.knowledge import forget_opened_suggestions
from relaydesk.tickets import custom_fields, queries, services
from relaydesk.tickets.models import Ticket

S = Ticket.Status
STATUS_FILTERS = {
    "all": (gettext_lazy("All"), []),
    "open": (gettext_lazy("Open"), list(Ticket.OPEN_STATUSES)),
    "closed": (gettext_lazy("Resolved or closed"), [S.RESOLVED, S.CLOSED]),
}
MAX_QUERY_LENGTH = 200


def _page(user, filters, query: str, cursor: str | None, size: int):
    if query:
        return queries.search_tickets(user, query, filters, cursor=cursor, size=size)
    try:
        return queries.list_tickets(user, filters, cursor=cursor, size=size)
    except BadCursor:
        # A stale or edited link: start again from the first page rather than fail.
        return queries.list_tickets(user, filters, size=size)


@customer_only
@require_GET
def request_list(request):
    """The customer's own requests, or (when allowed) the organization's, newest activity first."""
    user = request.user
    org_allowed = may_see_organization(user)
    scope = "org" if org_allowed and request.GET.get("scope") == "org" else "mine"
    status = request.GET.get("status", "all")
    if status not in STATUS_FILTERS:
        status = "all"
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    filters = queries.TicketFilter(statuses=STATUS_FILTERS[status][1])
    if scope == "org":
        filters.organization_id = user.organization_id
    else:
        filters.requester_id = user.id
    page = _page(user, filters, query, request.GET.get("cursor") or None, settings.PAGE_SIZE)
    context = {
        "page": page,
        "scope": scope,
        "org_allowed": org_allowed,
        "show_requester": scope == "org",
        "status": status,
        "status_filters": [(key, label) for key, (label, _s) in STATUS_FILTERS.items()],
        "query": query,
        "first_page": bool(request.GET.get("cursor")),
    }
    return render(request, "portal/request_list.html", context)


@customer_only
def new_request(request):
    """The request form. The chosen type decides which custom fields it shows.

    With JavaScript the fields are swapped in as the type changes (new_request_fields);
    without it, a submission whose type's fields the customer has not yet seen comes back
    with those fields added, everything typed kept, and nothing saved.
    """
    fields_pending = False
    if request.method == "POST":
        ticket_type = RequestForm.type_from(request.POST.get("type"))
        form = RequestForm(request.POST, request.FILES, ticket_type=ticket_type)
        fields_pending = not form.fields_were_shown()
        if form.is_valid() and not fields_pending:
            data = form.cleaned_data
            try:
                ticket = services.open_ticket(
                    actor=request.user,
                    requester=request.user,
                    subject=data["subject"],
                    body=data["description"],
                    channel=Ticket.Channel.WEB,
                    queue=data["queue"],
                    ticket_type=data["type"],
                    priority=data["priority"],
                    custom=form.custom_values(),
                    attachments=data["attachments"],
                )
            except ValidationError as exc:
                rename = {cf.key: custom_fields.field_name(cf) for cf in form.custom_fields}
                apply_service_error(form, exc, {"body": "description", **rename})
            else:
                forget_opened_suggestions(request)
                messages.success(
                    request, _("Request %(reference)s received.") % {"reference": ticket.reference}
                )
                return redirect("portal:ticket", number=ticket.number)
    else:
        ticket_type = RequestForm.type_from(request.GET.get("type"))
        form = RequestForm(ticket_type=ticket_type, initial={"type": ticket_type})
    context = {
        "form": form,
        "fields_pending": fields_pending,
        "files_dropped": request.method == "POST" and bool(request.FILES),
    }
    return render(request, "portal/new_request.html", context)


@customer_only
@require_GET
def new_request_fields(request):
    """The custom-field part of the request form for ?type=ID (swapped in by htmx)."""
    form = RequestForm(ticket_type=RequestForm.type_from(request.GET.get("type")))
    return render(request, "portal/_custom_fields.html", {"form": form})
