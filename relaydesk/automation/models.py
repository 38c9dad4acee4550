"""Triggers, macros, scheduled rules, and the leases that make scheduled runs happen once."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relaydesk.routing.models import ActionBase, ConditionBase, RuleBase
from relaydesk.tickets.models import Ticket


class Trigger(RuleBase):
    """On a ticket event, if the conditions hold, run the actions (in the task queue)."""

    class On(models.TextChoices):
        CREATED = "ticket.created", _("Ticket created")
        MESSAGE = "message.posted", _("Message posted")
        STATUS = "ticket.status_changed", _("Status changed")
        UPDATED = "ticket.updated", _("Fields changed")
        ASSIGNED = "ticket.assigned", _("Assigned")
        ESCALATED = "ticket.escalated", _("Escalated")
        DEESCALATED = "ticket.deescalated", _("De-escalated")
        SLA_WARNING = "sla.warning", _("SLA warning")
        SLA_BREACHED = "sla.breached", _("SLA breached")

    event = models.CharField(_("on"), max_length=30, choices=On)

    class Meta(RuleBase.Meta):
        verbose_name = _("trigger")


class TriggerCondition(ConditionBase):
    trigger = models.ForeignKey(Trigger, on_delete=models.CASCADE, related_name="conditions")

    class Meta(ConditionBase.Meta):
        verbose_name = _("condition")


class TriggerAction(ActionBase):
    trigger = models.ForeignKey(Trigger, on_delete=models.CASCADE, related_name="actions")

    class Meta(ActionBase.Meta):
        verbose_name = _("action")


class Macro(models.Model):
    """A reply (with placeholders) and field changes an agent applies in one click."""

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="macros",
        help_text=_("Empty: shared with every agent."),
    )
    reply = models.TextField(
        _("reply"),
        blank=True,
        help_text=_("Placeholders: {reference}, {subject}, {requester}, {status}, {queue}."),
    )
    internal = models.BooleanField(_("post as internal note"), default=False)
    new_status = models.CharField(
        _("then set status"), max_length=20, choices=Ticket.Status, blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("macro")

    def __str__(self) -> str:
        return self.name


class MacroAction(ActionBase):
    macro = models.ForeignKey(Macro, on_delete=models.CASCADE, related_name="actions")

    class Meta(ActionBase.Meta):
        verbose_name = _("field change")


class ScheduledRule(models.Model):
    """E.g. remind the customer after 3 days in Waiting; close Resolved tickets after 7 days."""

    class Action(models.TextChoices):
        REMIND_CUSTOMER = "remind", _("Email the customer a reminder")
        SET_STATUS = "set_status", _("Set status")
        ADD_NOTE = "add_note", _("Add internal note")

    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    status = models.CharField(_("tickets in status"), max_length=20, choices=Ticket.Status)
    after_hours = models.PositiveIntegerField(
        _("with no activity for (hours)"), help_text=_("72 = three days.")
    )
    action = models.CharField(_("action"), max_length=20, choices=Action)
    value = models.TextField(
        _("value"),
        blank=True,
        help_text=_("The status to set, or the note / email text (first line = subject)."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("scheduled rule")

    def __str__(self) -> str:
        return self.name


class ScheduledRuleRun(models.Model):
    """That RULE acted on TICKET at that quiet spell: the unique key makes it happen once."""

    rule = models.ForeignKey(ScheduledRule, on_delete=models.CASCADE, related_name="runs")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    ticket_updated_at = models.DateTimeField()
    worker = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "ticket", "ticket_updated_at"], name="ruleruns_unique"
            )
        ]
        verbose_name = _("scheduled rule run")

    def __str__(self) -> str:
        return f"{self.rule_id} on {self.ticket_id}"


class JobLease(models.Model):
    """The last time slot a periodic job ran in; claimed with one conditional UPDATE."""

    name = models.CharField(max_length=100, primary_key=True)
    last_slot = models.BigIntegerField(default=-1)
    holder = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("job lease")

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_slot}"
