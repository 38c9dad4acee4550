"""The ticket page: header, custom fields, collaborators, timeline and the action forms.

The page costs a fixed number of queries whatever the length of the conversation: the
timeline comes from `queries.timeline` (three queries) and every select is filled from a
list fetched once.
"""

from dataclasses import dataclass

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relaydesk.accounts.models import Queue, User
from relaydesk.automation.services import macros_for
from relaydesk.desk import due, forms
from relaydesk.desk.views.access import agent_required
from relaydesk.tickets import custom_fields, queries, workflow
from relaydesk.tickets.models import Event, Ticket, TicketType

FIELD_LABELS = {
    "subject": gettext_lazy("Subject"),
    "priority": gettext_lazy("Priority"),
    "ticket_type": gettext_lazy("Type"),
    "queue": gettext_lazy("Queue"),
    "tier": gettext_lazy("Tier"),
    "status": gettext_lazy("Status"),
    "assignee": gettext_lazy("Assignee"),
    "collaborators": gettext_lazy("Collaborators"),
}


@dataclass
class EventRow:
    """One audit event as the timeline shows it: what happened, old → new, why."""

    event: Event
    title: str
    field: str = ""
    old: str = ""
    new: str = ""
    note: str = ""


def _label(choices, value: str) -> str:
    try:
        return str(choices(type(choices.values[0])(value)).label)
    except (ValueError, IndexError):
        return value


def describe(event: Event, field_labels: dict[str, str]) -> EventRow | None:
    """How EVENT reads in the timeline; None for events the timeline shows otherwise."""
    kind = Event.Kind
    old, new = event.old_value, event.new_value
    if event.kind == kind.MESSAGE:
        return None  # the message itself is in the timeline
    if event.kind == kind.CREATED:
        return EventRow(event, _("Ticket opened via %(channel)s")
                        % {"channel": _label(Ticket.Channel, new)})  # fmt: skip
    if event.kind == kind.STATUS:
        old, new = _label(Ticket.Status, old), _label(Ticket.Status, new)
        return EventRow(event, _("Status changed"), FIELD_LABELS["status"], old, new, event.note)
    if event.kind == kind.FIELD:
        name = event.field
        if name.startswith("custom."):
            label = field_labels.get(name.removeprefix("custom."), name.removeprefix("custom."))
        else:
            label = FIELD_LABELS.get(name, name)
        if name == "priority":
            old, new = _label(Ticket.Priority, old), _label(Ticket.Priority, new)
        return EventRow(event, _("Field changed"), label, old, new, event.note)
    if event.kind == kind.ASSIGNED:
        return EventRow(event, _("Assignment changed"), FIELD_LABELS["assignee"],
                        old or _("Unassigned"), new or _("Unassigned"))  # fmt: skip
    if event.kind == kind.ESCALATED:
        return EventRow(event, _("Escalated"), _("Queue / tier"), old, new, event.note)
    if event.kind == kind.SHARED:
        return EventRow(event, _("Shared with %(name)s") % {"name": new})
    if event.kind == kind.UNSHARED:
        return EventRow(event, _("No longer shared with %(name)s") % {"name": old})
    if event.kind == kind.ATTACHMENT:
        return EventRow(event, _("File added: %(name)s") % {"name": new})
    if event.kind == kind.FOLLOW_UP:
        if new:
            return EventRow(event, _("Follow-up ticket opened: %(ref)s") % {"ref": new})
        return EventRow(event, _("Follow-up of %(ref)s") % {"ref": old})
    return EventRow(event, event.get_kind_display(), event.field, old, new, event.note)


def queue_agents(ticket: Ticket) -> list[User]:
    """Active agents who are members of the ticket's queue: the assign select's choices."""
    return list(
        User.objects.filter(memberships__queue_id=ticket.queue_id, is_active=True)
        .exclude(role=User.Role.CUSTOMER)
        .order_by("full_name", "email")
    )


def page_choices(ticket: Ticket) -> dict:
    """The lists every form of the ticket page draws its choices from, fetched once."""
    return {
        "queues": list(Queue.objects.filter(is_active=True).order_by("name")),
        "types": list(TicketType.objects.filter(is_active=True)),
        "fields": custom_fields.fields_for_type(ticket.ticket_type, customer=False),
        "agents": queue_agents(ticket),
    }


def build_forms(request, ticket: Ticket, choices: dict, **bound) -> dict:
    """Every action form of the page; BOUND replaces one with a form holding errors."""
    allowed = workflow.allowed_statuses(ticket, as_customer=False)
    built = {
        "message_form": forms.MessageForm(allowed_statuses=allowed),
        "status_form": forms.StatusForm(allowed_statuses=allowed),
        "fields_form": forms.FieldsForm(
            ticket=ticket,
            queues=choices["queues"],
            types=choices["types"],
            fields=choices["fields"],
        ),
        "assign_form": forms.AssignForm(agents=choices["agents"], current=ticket.assignee),
        "escalate_form": forms.EscalateForm(ticket=ticket, queues=choices["queues"]),
        "share_form": forms.ShareForm(),
        "attach_form": forms.AttachForm(),
    }
    built.update(bound)
    return built


def render_ticket(request, ticket: Ticket, *, status: int = 200, choices=None, **bound):
    user = request.user
    choices = choices or page_choices(ticket)
    field_labels = {cf.key: cf.label for cf in choices["fields"]}
    entries = []
    for entry in queries.timeline(user, ticket):
        if entry.kind == "message":
            entries.append(entry)
        else:
            row = describe(entry.item, field_labels)
            if row is not None:
                entries.append(type(entry)("event", entry.created_at, row))
    # Channels annotate their messages (email: folded quotes, inline images, delivery).
    queries.decorate_timeline(entries, viewer=user, attachment_url="desk:attachment")
    custom_values = [
        (cf, custom_fields.display_value(cf, ticket.custom.get(cf.key))) for cf in choices["fields"]
    ]
    follow_ups = list(
        queries.visible_tickets(user).filter(follow_up_of=ticket).only("number", "subject")
    )
    context = {
        "ticket": ticket,
        "timeline": entries,
        "custom_values": custom_values,
        "shares": queries.shares(ticket),
        "loose_attachments": queries.loose_attachments(user, ticket),
        "follow_ups": follow_ups,
        "is_assignee": ticket.assignee_id == user.pk,
        "due": due.ticket_due(ticket),
        "macro_form": forms.MacroForm(macros=list(macros_for(user))),
        **build_forms(request, ticket, choices, **bound),
    }
    return render(request, "desk/ticket_detail.html", context, status=status)


@agent_required
def ticket_detail(request, number: int):
    ticket = queries.get_ticket(request.user, number)
    return render_ticket(request, ticket)
