"""The ticket page's actions: each a POST that calls one service and redirects back (PRG).

A ValidationError from the service becomes an error message on the ticket page; a
PermissionDenied becomes a 403. A reply that fails keeps its text: the page is rendered
again with the form as typed instead of redirecting.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relaydesk.accounts.models import User
from relaydesk.desk import forms
from relaydesk.desk.views.access import agent_required
from relaydesk.desk.views.ticket import page_choices, queue_agents, render_ticket
from relaydesk.tickets import custom_fields, queries, services, workflow
from relaydesk.tickets.models import Ticket


def _back(ticket: Ticket):
    return redirect("desk:ticket", number=ticket.number)


def _form_errors(form) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(str(e) for e in errors)
        parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts)


def _run(request, ticket: Ticket, action, success: str):
    """Call ACTION (a service call); flash SUCCESS or the validation error; go back."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return _back(ticket)


def _invalid(request, ticket: Ticket, form):
    messages.error(request, _form_errors(form))
    return _back(ticket)


def _ticket(request, number: int) -> Ticket:
    return queries.get_ticket(request.user, number)


@agent_required
@require_POST
def post_message(request, number: int):
    """Public reply, internal note or phone call (channel), with files and a status after."""
    ticket = _ticket(request, number)
    allowed = workflow.allowed_statuses(ticket, as_customer=False)
    form = forms.MessageForm(request.POST, request.FILES, allowed_statuses=allowed)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.post_message(
                ticket,
                actor=request.user,
                body=data["body"],
                channel=data["channel"],
                internal=data["internal"],
                attachments=data["files"],
                new_status=data["status"] or None,
            )
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            if data["channel"] == Ticket.Channel.PHONE:
                messages.success(request, _("The phone call was logged."))
            elif data["internal"]:
                messages.success(request, _("Internal note added."))
            else:
                messages.success(request, _("Reply sent."))
            return _back(ticket)
    messages.error(request, _("Nothing was sent: %(errors)s") % {"errors": _form_errors(form)})
    if request.FILES:
        messages.info(request, _("Your text is kept below; choose the files again."))
    return render_ticket(request, ticket, status=400, message_form=form)


@agent_required
@require_POST
def change_status(request, number: int):
    ticket = _ticket(request, number)
    allowed = workflow.allowed_statuses(ticket, as_customer=False)
    form = forms.StatusForm(request.POST, allowed_statuses=allowed)
    if not form.is_valid():
        return _invalid(request, ticket, form)
    data = form.cleaned_data
    return _run(
        request,
        ticket,
        lambda: services.change_status(
            ticket, actor=request.user, status=data["status"], note=data["note"]
        ),
        _("Status changed to %(status)s.") % {"status": Ticket.Status(data["status"]).label},
    )


def _custom_changes(ticket: Ticket, values: dict) -> dict:
    """Only the custom values that really change (an empty field never set stays unset)."""
    changes = {}
    for key, value in values.items():
        old = ticket.custom.get(key)
        if key not in ticket.custom and value in (None, "", [], False):
            continue
        if old != value:
            changes[key] = value
    return changes


@agent_required
@require_POST
def update_fields(request, number: int):
    ticket = _ticket(request, number)
    choices = page_choices(ticket)
    form = forms.FieldsForm(
        request.POST,
        ticket=ticket,
        queues=choices["queues"],
        types=choices["types"],
        fields=choices["fields"],
    )
    if not form.is_valid():
        return _invalid(request, ticket, form)
    data = form.cleaned_data
    queues = {q.pk: q for q in choices["queues"]}
    types = {t.pk: t for t in choices["types"]}
    changes = {
        "subject": data["subject"],
        "priority": data["priority"],
        "queue": queues[data["queue"]],
        "tier": data["tier"],
        "ticket_type": types.get(data["ticket_type"]) if data["ticket_type"] else None,
    }
    # The custom fields shown belong to the current type; after a type change the new
    # type's fields are filled in on the next round.
    if changes["ticket_type"] == ticket.ticket_type:
        custom = _custom_changes(ticket, custom_fields.values_from_form(form, choices["fields"]))
        if custom:
            changes["custom"] = custom
    return _run(
        request,
        ticket,
        lambda: services.update_ticket(ticket, actor=request.user, **changes),
        _("Ticket updated."),
    )


@agent_required
@require_POST
def assign(request, number: int):
    """Assign to an agent of the ticket's queue, to me, or to nobody."""
    ticket = _ticket(request, number)
    agents = queue_agents(ticket)
    form = forms.AssignForm(request.POST, agents=agents, current=ticket.assignee)
    if not form.is_valid():
        return _invalid(request, ticket, form)
    value = form.cleaned_data["assignee"]
    candidates = {str(a.pk): a for a in agents}
    if ticket.assignee is not None:
        candidates.setdefault(str(ticket.assignee_id), ticket.assignee)
    assignee = request.user if value == "me" else candidates.get(value)
    success = (
        _("Assigned to %(name)s.") % {"name": assignee.display_name}
        if assignee
        else _("The ticket is now unassigned.")
    )
    return _run(
        request,
        ticket,
        lambda: services.assign(ticket, actor=request.user, assignee=assignee),
        success,
    )


def _agent_by_email(email: str) -> User | None:
    return (
        User.objects.filter(email__iexact=email.strip(), is_active=True)
        .exclude(role=User.Role.CUSTOMER)
        .first()
    )


@agent_required
@require_POST
def escalate(request, number: int):
    ticket = _ticket(request, number)
    choices = page_choices(ticket)
    form = forms.EscalateForm(request.POST, ticket=ticket, queues=choices["queues"])
    if not form.is_valid():
        return _invalid(request, ticket, form)
    data = form.cleaned_data
    agent = None
    if data["agent"]:
        agent = _agent_by_email(data["agent"])
        if agent is None:
            messages.error(request, _("No active agent uses the address %(email)s.")
                           % {"email": data["agent"]})  # fmt: skip
            return _back(ticket)
    queue = next(q for q in choices["queues"] if q.pk == data["queue"])
    return _run(
        request,
        ticket,
        lambda: services.escalate(
            ticket,
            actor=request.user,
            reason=data["reason"],
            tier=data["tier"],
            queue=queue,
            assignee=agent,
        ),
        _("Escalated to %(queue)s, tier %(tier)d.") % {"queue": queue.name, "tier": data["tier"]},
    )


@agent_required
@require_POST
def deescalate(request, number: int):
    ticket = _ticket(request, number)
    form = forms.DeescalateForm(request.POST, ticket=ticket)
    if not form.is_valid():
        return _invalid(request, ticket, form)
    data = form.cleaned_data
    agent = None
    if data["agent"]:
        agent = _agent_by_email(data["agent"])
        if agent is None:
            messages.error(request, _("No active agent uses the address %(email)s.")
                           % {"email": data["agent"]})  # fmt: skip
            return _back(ticket)
    return _run(
        request,
        ticket,
        lambda: services.deescalate(
            ticket, actor=request.user, reason=data["reason"], tier=data["tier"], assignee=agent
        ),
        _("De-escalated to tier %(tier)d.") % {"tier": data["tier"]},
    )


@agent_required
@require_POST
def share(request, number: int):
    ticket = _ticket(request, number)
    form = forms.ShareForm(request.POST)
    if not form.is_valid():
        return _invalid(request, ticket, form)
    email = form.cleaned_data["email"]
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        messages.error(request, _("No account uses the address %(email)s.") % {"email": email})
        return _back(ticket)
    return _run(
        request,
        ticket,
        lambda: services.share(ticket, actor=request.user, user=user),
        _("Shared with %(name)s.") % {"name": user.display_name},
    )


@agent_required
@require_POST
def unshare(request, number: int):
    ticket = _ticket(request, number)
    user_id = forms.selected_id(request.POST, "user")
    share_row = ticket.shares.select_related("user").filter(user_id=user_id).first()
    if share_row is None:
        messages.error(request, _("The ticket is not shared with that person."))
        return _back(ticket)
    user = share_row.user
    return _run(
        request,
        ticket,
        lambda: services.unshare(ticket, actor=request.user, user=user),
        _("No longer shared with %(name)s.") % {"name": user.display_name},
    )


@agent_required
@require_POST
def attach_files(request, number: int):
    ticket = _ticket(request, number)
    form = forms.AttachForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, ticket, form)
    files = form.cleaned_data["files"]
    return _run(
        request,
        ticket,
        lambda: services.add_attachments(ticket, actor=request.user, files=files),
        _("%(count)d file(s) attached.") % {"count": len(files)},
    )
