from django.contrib import admin

from relaydesk.sla.models import (
    BusinessCalendar,
    Holiday,
    SlaAction,
    SlaPolicy,
    TicketClock,
    WorkingHours,
)


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 5


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "country", "subdivision"]
    inlines = [WorkingHoursInline, HolidayInline]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "calendar"]
    list_filter = ["calendar"]


class SlaActionInline(admin.TabularInline):
    model = SlaAction
    extra = 1


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "position",
        "is_active",
        "priority",
        "ticket_type",
        "queue",
        "first_response_minutes",
        "resolution_minutes",
        "calendar",
    ]
    list_editable = ["position", "is_active"]
    inlines = [SlaActionInline]


@admin.register(TicketClock)
class TicketClockAdmin(admin.ModelAdmin):
    list_display = ["ticket", "policy", "response_due", "resolution_due", "due_at", "paused_since"]
    readonly_fields = [f.name for f in TicketClock._meta.fields]

    def has_add_permission(self, request):
        return False
