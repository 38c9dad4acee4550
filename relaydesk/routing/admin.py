from django import forms
from django.contrib import admin

from relaydesk.routing.actions import validate_action
from relaydesk.routing.models import (
    AgentProfile,
    AssignmentAction,
    AssignmentCondition,
    AssignmentRule,
    QueueStrategy,
    Skill,
)
from relaydesk.routing.rules import validate_condition


class ConditionForm(forms.ModelForm):
    """Refuses a condition that could never work (bad regex, text compared as a number)."""

    def clean(self):
        data = super().clean()
        probe = self._meta.model(
            **{k: data.get(k, "") or "" for k in ("field", "key", "operator", "value")}
        )
        problem = validate_condition(probe)
        if problem:
            raise forms.ValidationError(problem)
        return data


class ActionForm(forms.ModelForm):
    """Refuses an action whose value names nothing (a queue, type or agent that does not
    exist, a tier out of range) instead of letting it be skipped when the rule runs."""

    for_macro = False

    def clean(self):
        data = super().clean()
        if data.get("kind"):
            problem = validate_action(data["kind"], data.get("value", ""), macro=self.for_macro)
            if problem:
                self.add_error("value", problem)
        return data


class AssignmentConditionInline(admin.TabularInline):
    model = AssignmentCondition
    form = ConditionForm
    extra = 1


class AssignmentActionInline(admin.TabularInline):
    model = AssignmentAction
    form = ActionForm
    extra = 1


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "is_active", "match", "stop_processing"]
    list_editable = ["position", "is_active"]
    search_fields = ["name"]
    inlines = [AssignmentConditionInline, AssignmentActionInline]


@admin.register(QueueStrategy)
class QueueStrategyAdmin(admin.ModelAdmin):
    list_display = ["queue", "strategy", "fallback", "last_assignee"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "away", "away_since"]
    list_filter = ["away"]
    filter_horizontal = ["skills"]
    autocomplete_fields = ["user"]
