from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from relaydesk.automation.models import (
    Macro,
    MacroAction,
    ScheduledRule,
    ScheduledRuleRun,
    Trigger,
    TriggerAction,
    TriggerCondition,
)
from relaydesk.routing.admin import ActionForm, ConditionForm
from relaydesk.tickets.models import Ticket


class TriggerConditionInline(admin.TabularInline):
    model = TriggerCondition
    form = ConditionForm
    extra = 1


class TriggerActionInline(admin.TabularInline):
    model = TriggerAction
    form = ActionForm
    extra = 1


@admin.register(Trigger)
class TriggerAdmin(admin.ModelAdmin):
    list_display = ["name", "event", "position", "is_active", "match"]
    list_editable = ["position", "is_active"]
    list_filter = ["event", "is_active"]
    inlines = [TriggerConditionInline, TriggerActionInline]


class MacroActionForm(ActionForm):
    for_macro = True


class MacroActionInline(admin.TabularInline):
    model = MacroAction
    form = MacroActionForm
    exclude = ["secret"]  # macros call no webhooks
    extra = 1


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "new_status", "internal"]
    inlines = [MacroActionInline]


class ScheduledRuleForm(forms.ModelForm):
    """The value must fit the action: a real status to set, or some text to send or note."""

    class Meta:
        model = ScheduledRule
        fields = ["name", "is_active", "status", "after_hours", "action", "value"]

    def clean(self):
        data = super().clean()
        action, value = data.get("action"), (data.get("value") or "").strip()
        if action == ScheduledRule.Action.SET_STATUS:
            if value not in Ticket.Status.values:
                self.add_error(
                    "value",
                    _("Give one of the statuses: %(choices)s.")
                    % {"choices": ", ".join(Ticket.Status.values)},
                )
            elif value == data.get("status"):
                self.add_error("value", _("The status to set is the status the rule looks at."))
        elif action and not value:
            self.add_error("value", _("Write the text of the note or email."))
        return data


@admin.register(ScheduledRule)
class ScheduledRuleAdmin(admin.ModelAdmin):
    form = ScheduledRuleForm
    list_display = ["name", "is_active", "status", "after_hours", "action", "value"]


@admin.register(ScheduledRuleRun)
class ScheduledRuleRunAdmin(admin.ModelAdmin):
    list_display = ["rule", "ticket", "worker", "created_at"]
    readonly_fields = ["rule", "ticket", "ticket_updated_at", "worker", "created_at"]
