from django.contrib import admin

from relaydesk.automation.models import (
    Macro,
    MacroAction,
    ScheduledRule,
    ScheduledRuleRun,
    Trigger,
    TriggerAction,
    TriggerCondition,
)
from relaydesk.routing.admin import ConditionForm


class TriggerConditionInline(admin.TabularInline):
    model = TriggerCondition
    form = ConditionForm
    extra = 1


class TriggerActionInline(admin.TabularInline):
    model = TriggerAction
    extra = 1


@admin.register(Trigger)
class TriggerAdmin(admin.ModelAdmin):
    list_display = ["name", "event", "position", "is_active", "match"]
    list_editable = ["position", "is_active"]
    list_filter = ["event", "is_active"]
    inlines = [TriggerConditionInline, TriggerActionInline]


class MacroActionInline(admin.TabularInline):
    model = MacroAction
    extra = 1


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "new_status", "internal"]
    inlines = [MacroActionInline]


@admin.register(ScheduledRule)
class ScheduledRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "status", "after_hours", "action", "value"]


@admin.register(ScheduledRuleRun)
class ScheduledRuleRunAdmin(admin.ModelAdmin):
    list_display = ["rule", "ticket", "worker", "created_at"]
    readonly_fields = ["rule", "ticket", "ticket_updated_at", "worker", "created_at"]
