"""A phone call logged as a new ticket on behalf of a caller (channel = phone)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from relaydesk.accounts.models import Queue
from relaydesk.accounts.services import find_or_create_customer
from relaydesk.desk import forms
from relaydesk.desk.views.access import agent_required
from relaydesk.tickets import custom_fields, queries, services
from relaydesk.tickets.models import Ticket, TicketType


@agent_required
def new_call(request):
    """GET shows the form (GET parameters prefill it, e.g. after choosing a type); POST opens."""
    queues = list(Queue.objects.filter(is_active=True).order_by("name"))
    types = list(TicketType.objects.filter(is_active=True))
    source = request.POST if request.method == "POST" else request.GET
    type_id = forms.selected_id(source, "ticket_type")
    ticket_type = next((t for t in types if t.pk == type_id), None)
    fields = custom_fields.fields_for_type(ticket_type, customer=False)
    kwargs = {"queues": queues, "types": types, "fields": fields}
    if request.method != "POST":
        initial = {k: v for k, v in request.GET.items() if k != "csrfmiddlewaretoken"}
        if "queue" not in initial and not request.user.sees_all_tickets:
            mine = request.user.queue_ids()
            initial["queue"] = next((q.pk for q in queues if q.pk in mine), None)
        form = forms.NewCallForm(initial=initial, **kwargs)
        template = "desk/_new_call_fields.html" if request.htmx else "desk/new_call.html"
        return render(request, template, {"form": form})

    form = forms.NewCallForm(request.POST, **kwargs)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                requester, created = find_or_create_customer(data["email"], data["full_name"])
                ticket = services.open_ticket(
                    actor=request.user,
                    requester=requester,
                    subject=data["subject"],
                    body=data["body"],
                    channel=Ticket.Channel.PHONE,
                    queue=next(q for q in queues if q.pk == data["queue"]),
                    ticket_type=ticket_type,
                    priority=data["priority"],
                    custom=custom_fields.values_from_form(form, fields),
                    message_internal=data["internal"],
                )
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            if created:
                messages.info(request, _("A customer account was created for %(email)s.")
                              % {"email": requester.email})  # fmt: skip
            messages.success(request, _("Ticket %(ref)s opened for the call.")
                             % {"ref": ticket.reference})  # fmt: skip
            if queries.visible_tickets(request.user).filter(pk=ticket.pk).exists():
                return redirect("desk:ticket", number=ticket.number)
            return redirect("desk:list")
    return render(request, "desk/new_call.html", {"form": form}, status=400)
