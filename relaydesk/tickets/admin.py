"""The Django admin for ticket vocabularies (types, custom fields, which fields a type's form
shows) and a read-only look at tickets and their audit trail.

Tickets are never edited here: every change to a ticket must go through
`tickets/services.py` so that it is permission-checked, audited and published. The ticket
pages are therefore view-only, and lists never count the whole table.
"""

from django import forms
from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from relaydesk.core.pagination import capped_count
from relaydesk.tickets.models import (
    Attachment,
    CustomField,
    Event,
    Message,
    Ticket,
    TicketShare,
    TicketType,
    TypeField,
)
from relaydesk.tickets.queries import parse_number

# Lists of tickets and events show at most this many rows' worth of pages; search or filter
# to narrow further. Keeps the admin's COUNT bounded on a million-row table.
ADMIN_COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        return capped_count(self.object_list, ADMIN_COUNT_CAP)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- vocabularies --------------------------------------------------------------------------


class CustomFieldForm(forms.ModelForm):
    class Meta:
        model = CustomField
        fields = ("key", "label", "kind", "choices", "required", "customer_visible", "help_text")

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        choices = [c.strip() for c in (cleaned.get("choices") or "").splitlines() if c.strip()]
        if kind in (CustomField.Kind.CHOICE, CustomField.Kind.MULTI_CHOICE) and not choices:
            self.add_error("choices", _("List the choices, one per line."))
        if len(choices) != len(set(choices)):
            self.add_error("choices", _("Each choice may appear only once."))
        return cleaned


@admin.register(CustomField)
class CustomFieldAdmin(admin.ModelAdmin):
    form = CustomFieldForm
    list_display = ("label", "key", "kind", "required", "customer_visible")
    list_filter = ("kind", "required", "customer_visible")
    search_fields = ("key", "label")
    ordering = ("label",)

    def get_readonly_fields(self, request, obj=None):
        # Tickets store values under the key: renaming it would orphan them.
        return ("key",) if obj is not None else ()


class TypeFieldInline(admin.TabularInline):
    model = TypeField
    fields = ("field", "position")
    autocomplete_fields = ("field",)
    extra = 1
    verbose_name = _("form field")
    verbose_name_plural = _("fields this type's form shows, in order")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("field")


@admin.register(TicketType)
class TicketTypeAdmin(admin.ModelAdmin):
    fields = ("name", "slug", "position", "is_active")
    list_display = ("name", "slug", "position", "is_active")
    list_editable = ("position", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [TypeFieldInline]


# --- tickets (read-only) -------------------------------------------------------------------


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ("created_at", "author", "is_internal", "channel", "body_text")
    readonly_fields = fields
    ordering = ("created_at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ("created_at", "filename", "content_type", "size", "uploaded_by", "message")
    readonly_fields = fields
    ordering = ("created_at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by", "message")


class ShareInline(ReadOnlyInline):
    model = TicketShare
    fk_name = "ticket"
    fields = ("user", "shared_by", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "shared_by")


class EventInline(ReadOnlyInline):
    model = Event
    fields = ("created_at", "actor", "kind", "field", "old_value", "new_value", "note")
    readonly_fields = fields
    ordering = ("created_at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


def _search_by_reference(queryset, search_term: str, number_field: str, text_fields=()):
    """'RD-1042' or '1042' finds by number (an index seek); other text by TEXT_FIELDS."""
    term = search_term.strip()
    if not term:
        return queryset
    number = parse_number(term)
    if number is not None:
        return queryset.filter(**{number_field: number})
    if not text_fields:
        return queryset.none()
    condition = Q()
    for field in text_fields:
        condition |= Q(**{f"{field}__icontains": term})
    return queryset.filter(condition)


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """View-only: change tickets in the desk, where every change is audited."""

    list_display = (
        "reference",
        "subject",
        "status",
        "priority",
        "queue",
        "tier",
        "requester",
        "assignee",
        "updated_at",
    )
    list_select_related = ("queue", "requester", "assignee")
    list_filter = ("status", "priority", "channel", "tier", "queue")
    search_fields = ("subject",)
    search_help_text = _("A ticket number (RD-1042 or 1042) or words of the subject.")
    ordering = ("-updated_at", "-id")
    paginator = CappedPaginator
    show_full_result_count = False
    # Never a drop-down of every user.
    raw_id_fields = ("requester", "assignee", "follow_up_of")
    fieldsets = (
        (None, {"fields": ("reference", "subject", "status", "priority", "channel")}),
        (_("Routing"), {"fields": ("queue", "tier", "ticket_type", "assignee")}),
        (_("Requester"), {"fields": ("requester", "organization", "follow_up_of")}),
        (_("Custom fields"), {"fields": ("custom",)}),
        (
            _("Dates"),
            {
                "fields": (
                    "created_at",
                    "updated_at",
                    "first_response_at",
                    "resolved_at",
                    "closed_at",
                )
            },
        ),
    )
    readonly_fields = ("reference",)
    inlines = [MessageInline, AttachmentInline, ShareInline, EventInline]

    @admin.display(description=_("reference"), ordering="number")
    def reference(self, obj: Ticket) -> str:
        return obj.reference

    def get_search_results(self, request, queryset, search_term):
        return _search_by_reference(queryset, search_term, "number", ("subject",)), False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The audit trail, read-only: nobody rewrites history."""

    list_display = ("created_at", "ticket_reference", "kind", "field", "old_value", "new_value",
                    "actor")  # fmt: skip
    list_select_related = ("ticket", "actor")
    list_filter = ("kind",)
    search_fields = ("ticket__number",)
    search_help_text = _("A ticket number (RD-1042 or 1042).")
    ordering = ("-id",)
    paginator = CappedPaginator
    show_full_result_count = False
    raw_id_fields = ("ticket", "actor")

    @admin.display(description=_("ticket"), ordering="ticket__number")
    def ticket_reference(self, obj: Event) -> str:
        return obj.ticket.reference

    def get_search_results(self, request, queryset, search_term):
        return _search_by_reference(queryset, search_term, "ticket__number"), False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
