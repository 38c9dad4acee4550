"""One request's page, the POST actions on it, and attachment downloads."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from relaydesk.portal.forms import FilesForm, ReplyForm, apply_service_error
from relaydesk.portal.views.access import customer_only, may_change_status
from relaydesk.tickets import custom_fields, queries, services, workflow
from relaydesk.tickets.models import Ticket

S = Ticket.Status
STATUS_ACTIONS = {
    S.CLOSED: (gettext_lazy("Close request"), gettext_lazy("Request %(reference)s closed.")),
    S.FEEDBACK: (gettext_lazy("Reopen request"), gettext_lazy("Request %(reference)s reopened.")),
}


def _ticket_page(request, ticket, *, reply_form=None, files_form=None):
    user = request.user
    shown_fields = custom_fields.fields_for_type(ticket.ticket_type, customer=True)
    can_change = may_change_status(user, ticket)
    allowed = workflow.allowed_statuses(ticket, as_customer=True) if can_change else []
    timeline = queries.timeline(user, ticket)
    # Channels annotate their messages (email: folded quotes and inline images).
    queries.decorate_timeline(timeline, viewer=user, attachment_url="portal:attachment")
    context = {
        "ticket": ticket,
        "custom_values": [
            (cf.label, custom_fields.display_value(cf, ticket.custom.get(cf.key)))
            for cf in shown_fields
        ],
        "timeline": timeline,
        "loose_attachments": queries.loose_attachments(user, ticket),
        "status_actions": [
            (status, str(STATUS_ACTIONS[status][0]))
            for status in allowed
            if status in STATUS_ACTIONS
        ],
        "reply_opens_follow_up": workflow.status_after_customer_reply(ticket) is None,
        "reopen_window_days": settings.REOPEN_WINDOW_DAYS,
        "reply_form": reply_form or ReplyForm(),
        "files_form": files_form or FilesForm(),
    }
    return render(request, "portal/ticket.html", context)


@customer_only
@require_GET
def ticket_detail(request, number: int):
    return _ticket_page(request, queries.get_ticket(request.user, number))


@customer_only
@require_POST
def reply(request, number: int):
    """A public reply; on a ticket closed beyond the reopen window it opens a follow-up."""
    ticket = queries.get_ticket(request.user, number)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            message = services.post_message(
                ticket,
                actor=request.user,
                body=form.cleaned_data["body"],
                channel=Ticket.Channel.WEB,
                attachments=form.cleaned_data["files"],
            )
        except ValidationError as exc:
            apply_service_error(form, exc, {"attachments": "files"})
        else:
            if message.ticket_id != ticket.id:
                follow_up = message.ticket
                messages.info(
                    request,
                    _(
                        "%(old)s was closed too long ago to reopen, so your reply opened a "
                        "follow-up request, %(new)s."
                    )
                    % {"old": ticket.reference, "new": follow_up.reference},
                )
                return redirect("portal:ticket", number=follow_up.number)
            messages.success(request, _("Your reply was sent."))
            url = reverse("portal:ticket", args=[ticket.number])
            return redirect(f"{url}#message-{message.id}")
    return _ticket_page(request, ticket, reply_form=form)


@customer_only
@require_POST
def change_status(request, number: int):
    """Close or reopen (services.change_status refuses anyone but the requester or manager)."""
    ticket = queries.get_ticket(request.user, number)
    status = request.POST.get("status", "")
    try:
        services.change_status(ticket, actor=request.user, status=status)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        done = STATUS_ACTIONS[status][1] if status in STATUS_ACTIONS else _("Request updated.")
        messages.success(request, str(done) % {"reference": ticket.reference})
    return redirect("portal:ticket", number=ticket.number)


@customer_only
@require_POST
def add_files(request, number: int):
    ticket = queries.get_ticket(request.user, number)
    form = FilesForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            stored = services.add_attachments(
                ticket, actor=request.user, files=form.cleaned_data["files"]
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            count = len(stored)
            messages.success(
                request,
                ngettext("%(count)d file added.", "%(count)d files added.", count)
                % {"count": count},
            )
            return redirect(reverse("portal:ticket", args=[ticket.number]) + "#files")
    return _ticket_page(request, ticket, files_form=form)


@login_required
@require_GET
def attachment(request, id: int):
    """Download a file of a ticket the viewer may see (agents too: the desk links here)."""
    stored = queries.get_attachment(request.user, id)
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing from storage") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=stored.filename,
        content_type=stored.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser were to render it, the file gets no scripts and no origin.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
