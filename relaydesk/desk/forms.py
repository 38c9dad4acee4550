"""Forms of the agent desk.

Choices are handed in as lists by the views (queues, agents, types are fetched once per page),
so rendering a form never runs a query of its own. Each form on the ticket page has its own
`auto_id` so that ids stay unique while field names stay plain (`body`, `status`, ...).
"""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from relaydesk.accounts.models import MAX_TIER
from relaydesk.tickets import custom_fields, services
from relaydesk.tickets.models import Ticket
from relaydesk.tickets.queries import SORTS

TIER_CHOICES = [(str(t), format_lazy("{} {}", _("Tier"), t)) for t in range(1, MAX_TIER + 1)]
PRIORITY_CHOICES = [(str(value), label) for value, label in Ticket.Priority.choices]
STATUS_CHOICES = list(Ticket.Status.choices)
MESSAGE_CHANNELS = [
    (Ticket.Channel.DESK, _("Written reply or note")),
    (Ticket.Channel.PHONE, _("Phone call")),
]
SORT_LABELS = {
    "updated": _("Last activity, newest first"),
    "oldest": _("Last activity, oldest first"),
    "created": _("Created, newest first"),
    "priority": _("Priority, highest first"),
    "due": _("Due soonest"),  # desk.due.due_page: SLA clocks, not a column of the ticket
}
VIEW_CHOICES = [
    ("open", _("All open")),
    ("mine", _("My tickets")),
    ("unassigned", _("Unassigned")),
    ("all", _("All tickets")),
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the size limit is checked by the ticket services."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = (
            [single(d, initial) for d in data if d]
            if isinstance(data, list | tuple)
            else ([single(data, initial)] if data else [])
        )
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        # Checked here too, so the form shows the error beside the input and keeps the text.
        for upload in files:
            services.check_upload(upload)
        return files


def _id_choices(rows, blank: str | None = None) -> list[tuple[str, str]]:
    choices = [("", blank)] if blank is not None else []
    return choices + [(str(row.pk), str(row)) for row in rows]


# --- the ticket list -----------------------------------------------------------------------


class ListFilterForm(forms.Form):
    """The GET filters of the ticket list. Invalid values are dropped, never an error page."""

    view = forms.ChoiceField(label=_("View"), choices=VIEW_CHOICES, required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    queue = forms.ChoiceField(label=_("Queue"), required=False)
    status = forms.MultipleChoiceField(
        label=_("Status"),
        choices=STATUS_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    type = forms.ChoiceField(label=_("Type"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False)

    def __init__(self, data, *, queues, types, assignee_user=None):
        super().__init__(data, auto_id="filter_%s")
        self.fields["queue"].choices = _id_choices(queues, _("Any queue"))
        self.fields["tier"].choices = [("", _("Any tier")), *TIER_CHOICES]
        assignees = [("", _("Anyone")), ("me", _("Me")), ("none", _("Unassigned"))]
        if assignee_user is not None:
            assignees.append((str(assignee_user.pk), assignee_user.display_name))
        self.fields["assignee"].choices = assignees
        self.fields["priority"].choices = [("", _("Any priority")), *PRIORITY_CHOICES]
        self.fields["type"].choices = _id_choices(types, _("Any type"))
        self.fields["sort"].choices = [(key, SORT_LABELS.get(key, key)) for key in SORTS] + [
            ("due", SORT_LABELS["due"])
        ]

    def valid_data(self) -> dict:
        """The cleaned value of every field that is valid (the others are ignored)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", [])}


# --- the ticket page -----------------------------------------------------------------------


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea, required=False)
    internal = forms.BooleanField(
        label=_("Internal note (agents only, the customer does not see it)"), required=False
    )
    channel = forms.ChoiceField(label=_("Kind"), choices=MESSAGE_CHANNELS, required=False)
    status = forms.ChoiceField(label=_("Status after sending"), required=False)
    files = MultipleFileField(label=_("Attach files"))

    def __init__(self, *args, allowed_statuses=(), **kwargs):
        kwargs.setdefault("auto_id", "msg_%s")
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Keep the current status"))] + [
            (s, Ticket.Status(s).label) for s in allowed_statuses
        ]

    def clean_channel(self):
        return self.cleaned_data.get("channel") or Ticket.Channel.DESK


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=1000)

    def __init__(self, *args, allowed_statuses=(), **kwargs):
        kwargs.setdefault("auto_id", "status_%s")
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, Ticket.Status(s).label) for s in allowed_statuses]


class FieldsForm(forms.Form):
    """Subject, priority, type, queue, tier and the custom fields of the ticket's type."""

    subject = forms.CharField(label=_("Subject"), max_length=500)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=PRIORITY_CHOICES, coerce=int)
    ticket_type = forms.TypedChoiceField(
        label=_("Type"), required=False, coerce=int, empty_value=None
    )
    queue = forms.TypedChoiceField(label=_("Queue"), coerce=int)
    tier = forms.TypedChoiceField(label=_("Tier"), choices=TIER_CHOICES, coerce=int)

    def __init__(self, *args, ticket, queues, types, fields, **kwargs):
        kwargs.setdefault("auto_id", "fields_%s")
        kwargs.setdefault(
            "initial",
            {
                "subject": ticket.subject,
                "priority": ticket.priority,
                "ticket_type": ticket.ticket_type_id,
                "queue": ticket.queue_id,
                "tier": ticket.tier,
            },
        )
        super().__init__(*args, **kwargs)
        self.custom_fields = fields
        self.fields["ticket_type"].choices = _id_choices(types, _("No type"))
        self.fields["queue"].choices = _id_choices(queues)
        custom_fields.add_to_form(self, fields, ticket.custom)

    def custom_bound_fields(self):
        return [self[custom_fields.field_name(cf)] for cf in self.custom_fields]


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assignee"))

    def __init__(self, *args, agents, current=None, **kwargs):
        kwargs.setdefault("auto_id", "assign_%s")
        super().__init__(*args, **kwargs)
        choices = [("none", _("Unassigned")), ("me", _("Me"))]
        choices += [(str(a.pk), a.display_name) for a in agents]
        if current is not None and str(current.pk) not in {c[0] for c in choices}:
            choices.append((str(current.pk), current.display_name))
        self.fields["assignee"].choices = choices
        if current is not None:
            self.initial.setdefault("assignee", str(current.pk))
        else:
            self.initial.setdefault("assignee", "none")


class EscalateForm(forms.Form):
    tier = forms.TypedChoiceField(label=_("To tier"), choices=TIER_CHOICES, coerce=int)
    queue = forms.TypedChoiceField(label=_("To queue"), coerce=int)
    agent = forms.EmailField(
        label=_("To agent (optional, email)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "list": "esc_agent_options"}),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, ticket, queues, **kwargs):
        kwargs.setdefault("auto_id", "esc_%s")
        kwargs.setdefault(
            "initial", {"tier": min(ticket.tier + 1, MAX_TIER), "queue": ticket.queue_id}
        )
        super().__init__(*args, **kwargs)
        self.fields["queue"].choices = _id_choices(queues)


class DeescalateForm(forms.Form):
    """Down a tier: the choices are the tiers below the ticket's (the queue stays)."""

    tier = forms.TypedChoiceField(label=_("To tier"), choices=TIER_CHOICES, coerce=int)
    agent = forms.EmailField(
        label=_("To agent (optional, email)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "list": "deesc_agent_options"}),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, ticket, **kwargs):
        kwargs.setdefault("auto_id", "deesc_%s")
        kwargs.setdefault("initial", {"tier": max(ticket.tier - 1, 1)})
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [c for c in TIER_CHOICES if int(c[0]) < ticket.tier]


class ShareForm(forms.Form):
    email = forms.EmailField(
        label=_("Colleague's email"),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "list": "share_email_options"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "share_%s")
        super().__init__(*args, **kwargs)


class MacroForm(forms.Form):
    macro = forms.ChoiceField(label=_("Macro"))

    def __init__(self, *args, macros, **kwargs):
        kwargs.setdefault("auto_id", "macro_%s")
        super().__init__(*args, **kwargs)
        self.macros = {str(m.pk): m for m in macros}
        self.fields["macro"].choices = [
            (key, f"{m.name} ({_('mine')})" if m.owner_id else m.name)
            for key, m in self.macros.items()
        ]

    def clean_macro(self):
        return self.macros[self.cleaned_data["macro"]]


class AttachForm(forms.Form):
    files = MultipleFileField(label=_("Files"), required=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "files_%s")
        super().__init__(*args, **kwargs)


# --- a phone call as a new ticket ----------------------------------------------------------


class NewCallForm(forms.Form):
    email = forms.EmailField(label=_("Caller's email"))
    full_name = forms.CharField(
        label=_("Caller's name"),
        required=False,
        max_length=200,
        help_text=_("Needed only when the caller has no account yet: one is created."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=500)
    body = forms.CharField(label=_("Call notes"), widget=forms.Textarea)
    queue = forms.TypedChoiceField(label=_("Queue"), coerce=int)
    ticket_type = forms.TypedChoiceField(
        label=_("Type"), required=False, coerce=int, empty_value=None
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=PRIORITY_CHOICES,
        coerce=int,
        initial=str(Ticket.Priority.NORMAL),
    )
    internal = forms.BooleanField(
        label=_("Keep the call notes internal (the customer does not see them)"), required=False
    )

    def __init__(self, *args, queues, types, fields, **kwargs):
        kwargs.setdefault("auto_id", "call_%s")
        super().__init__(*args, **kwargs)
        self.custom_fields = fields
        self.fields["queue"].choices = _id_choices(queues)
        self.fields["ticket_type"].choices = _id_choices(types, _("No type"))
        custom_fields.add_to_form(self, fields, {})

    def custom_bound_fields(self):
        return [self[custom_fields.field_name(cf)] for cf in self.custom_fields]


def add_service_errors(form: forms.Form, exc) -> None:
    """Put a service's ValidationError on FORM: beside its field when the form has one."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def selected_id(data, name: str) -> int | None:
    """An integer id from DATA[NAME] (GET or POST), or None when absent or not a number."""
    raw = (data.get(name) or "").strip()
    return int(raw) if raw.isdigit() else None
