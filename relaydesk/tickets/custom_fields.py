"""Custom fields: the form fields a ticket type shows, and validation of their values.

Portal, desk and API all validate through here, so a value is checked the same way
whichever channel it comes from. Values are stored JSON-ready in `Ticket.custom`.
"""

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from relaydesk.tickets.models import CustomField, TicketType, TypeField

K = CustomField.Kind


def fields_for_type(ticket_type: TicketType | None, *, customer: bool) -> list[CustomField]:
    """The custom fields TICKET_TYPE's form shows, in order; customers get visible ones only."""
    if ticket_type is None:
        return []
    rows = TypeField.objects.filter(ticket_type=ticket_type).select_related("field")
    fields = [row.field for row in rows]
    return [f for f in fields if f.customer_visible or not customer]


def form_field(cf: CustomField) -> forms.Field:
    common = {"label": cf.label, "required": cf.required, "help_text": cf.help_text}
    choices = [(c, c) for c in cf.choice_list()]
    if cf.kind == K.NUMBER:
        return forms.DecimalField(max_digits=18, decimal_places=4, **common)
    if cf.kind == K.CHOICE:
        return forms.ChoiceField(choices=[("", "—")] + choices, **common)
    if cf.kind == K.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if cf.kind == K.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if cf.kind == K.CHECKBOX:
        return forms.BooleanField(**common)
    return forms.CharField(max_length=1000, **common)


def field_name(cf: CustomField) -> str:
    return f"cf_{cf.key}"


def add_to_form(form: forms.Form, custom_fields: list[CustomField], initial: dict) -> None:
    for cf in custom_fields:
        field = form_field(cf)
        field.initial = initial.get(cf.key)
        form.fields[field_name(cf)] = field


def to_json(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def values_from_form(form: forms.Form, custom_fields: list[CustomField]) -> dict:
    data = form.cleaned_data
    return {cf.key: to_json(data.get(field_name(cf))) for cf in custom_fields}


def clean_values(custom_fields: list[CustomField], raw: dict, *, partial: bool = False) -> dict:
    """Validate RAW (key -> value, e.g. from the API) against CUSTOM_FIELDS.

    With PARTIAL, only the keys present are checked (an update of some fields).
    Raises ValidationError naming every bad or unknown key.
    """
    errors = {}
    known = {cf.key: cf for cf in custom_fields}
    for key in raw:
        if key not in known:
            errors[key] = _("Unknown field for this ticket type.")
    cleaned = {}
    for key, cf in known.items():
        if partial and key not in raw:
            continue
        value = raw.get(key)
        if isinstance(value, list) and cf.kind != K.MULTI_CHOICE:
            errors[key] = _("A single value is expected.")
            continue
        try:
            cleaned[key] = to_json(form_field(cf).clean(value))
        except ValidationError as exc:
            errors[key] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def display_value(cf: CustomField, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if cf.kind == K.CHECKBOX:
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
