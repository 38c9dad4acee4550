"""Routing: assignment rules, per-queue strategies, agent skills and availability.

Condition and action rows are abstract here so that automation triggers and macros share
the same vocabulary (see `relaydesk.routing.rules`).
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relaydesk.accounts.models import Queue
from relaydesk.tickets.models import Ticket


class Skill(models.Model):
    """Something an agent knows ("Linux", "SAP", "French") and a ticket may need."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("skill")

    def __str__(self) -> str:
        return self.name


class AgentProfile(models.Model):
    """What routing knows about an agent beyond the account: availability and skills."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="routing_profile"
    )
    away = models.BooleanField(_("away"), default=False)
    away_since = models.DateTimeField(_("away since"), null=True, blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="agents")

    class Meta:
        verbose_name = _("agent profile")

    def __str__(self) -> str:
        return str(self.user)


class QueueStrategy(models.Model):
    """How new tickets of a queue find an agent."""

    class Strategy(models.TextChoices):
        MANUAL = "manual", _("Manual (a dispatcher assigns)")
        ROUND_ROBIN = "round_robin", _("Round-robin")
        LEAST_OPEN = "least_open", _("Fewest open tickets")

    class Fallback(models.TextChoices):
        UNASSIGNED = "unassigned", _("Leave unassigned")
        IGNORE_SKILLS = "ignore_skills", _("Any available agent of the tier")
        ANY_TIER = "any_tier", _("Any available agent of the queue")

    queue = models.OneToOneField(Queue, on_delete=models.CASCADE, related_name="strategy")
    strategy = models.CharField(
        _("strategy"), max_length=20, choices=Strategy, default=Strategy.MANUAL
    )
    fallback = models.CharField(
        _("when no agent with the skills is free"),
        max_length=20,
        choices=Fallback,
        default=Fallback.IGNORE_SKILLS,
    )
    last_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("assignment strategy")
        verbose_name_plural = _("assignment strategies")

    def __str__(self) -> str:
        return f"{self.queue}: {self.get_strategy_display()}"


class TicketTag(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("tag"), max_length=50)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "name"], name="tag_unique")]
        indexes = [models.Index(fields=["name"], name="tag_name")]
        verbose_name = _("tag")

    def __str__(self) -> str:
        return self.name


class TicketSkill(models.Model):
    """A skill a rule says the ticket needs; automatic assignment prefers agents who have it."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="required_skills")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "skill"], name="ticketskill_unique")
        ]
        verbose_name = _("required skill")

    def __str__(self) -> str:
        return f"{self.ticket_id} needs {self.skill_id}"


# --- the shared condition / action vocabulary ---------------------------------------------


class ConditionBase(models.Model):
    class Field(models.TextChoices):
        SUBJECT = "subject", _("Subject")
        BODY = "body", _("Body")
        TEXT = "text", _("Subject or body")
        TYPE = "type", _("Type (slug)")
        PRIORITY = "priority", _("Priority (1-4)")
        CHANNEL = "channel", _("Channel")
        STATUS = "status", _("Status")
        QUEUE = "queue", _("Queue (slug)")
        TIER = "tier", _("Tier")
        SENDER = "sender", _("Sender address")
        SENDER_DOMAIN = "sender_domain", _("Sender domain")
        ORGANIZATION = "organization", _("Organization (name)")
        CUSTOM = "custom", _("Custom field (key)")
        TAG = "tag", _("Tag")

    class Operator(models.TextChoices):
        CONTAINS = "contains", _("contains")
        NOT_CONTAINS = "not_contains", _("does not contain")
        ANY_WORD = "any_word", _("contains any of these words")
        REGEX = "regex", _("matches the regular expression")
        EQUALS = "equals", _("is")
        NOT_EQUALS = "not_equals", _("is not")
        ONE_OF = "one_of", _("is one of (comma-separated)")
        AT_LEAST = "at_least", _("is at least")
        AT_MOST = "at_most", _("is at most")

    position = models.PositiveSmallIntegerField(_("position"), default=0)
    field = models.CharField(_("field"), max_length=20, choices=Field)
    key = models.CharField(
        _("custom field key"), max_length=50, blank=True, help_text=_("Only for custom fields.")
    )
    operator = models.CharField(_("operator"), max_length=20, choices=Operator)
    value = models.CharField(_("value"), max_length=500, blank=True)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.field}{'.' + self.key if self.key else ''} {self.operator} {self.value!r}"


def new_webhook_secret() -> str:
    return secrets.token_hex(32)


class ActionBase(models.Model):
    class Kind(models.TextChoices):
        SET_QUEUE = "set_queue", _("Set queue (slug)")
        SET_TIER = "set_tier", _("Set tier (1-4)")
        SET_PRIORITY = "set_priority", _("Set priority (1-4)")
        SET_TYPE = "set_type", _("Set type (slug)")
        ADD_TAGS = "add_tags", _("Add tags (comma-separated)")
        REQUIRE_SKILLS = "require_skills", _("Require skills (comma-separated)")
        ASSIGN_AGENT = "assign_agent", _("Assign to agent (email)")
        ASSIGN_TEAM = "assign_team", _("Assign to team (queue slug, by its strategy)")
        SET_STATUS = "set_status", _("Set status")
        ADD_NOTE = "add_note", _("Add internal note (text)")
        EMAIL_CUSTOMER = "email_customer", _("Email the customer (template)")
        WEBHOOK = "webhook", _("Call a webhook (URL)")

    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("action"), max_length=20, choices=Kind)
    value = models.TextField(
        _("value"),
        blank=True,
        help_text=_(
            "For emails: first line is the subject, the rest the body. Placeholders: "
            "{reference}, {subject}, {requester}, {status}, {queue}."
        ),
    )

    secret = models.CharField(
        _("webhook secret"),
        max_length=128,
        blank=True,
        default=new_webhook_secret,
        help_text=_(
            "Webhooks only: the key of the X-Relaydesk-Signature HMAC (SHA-256) sent with "
            "each call, so the receiver can check the call came from Relaydesk."
        ),
    )

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.value[:40]!r}"


class RuleBase(models.Model):
    class Match(models.TextChoices):
        ALL = "all", _("all conditions hold")
        ANY = "any", _("any condition holds")

    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    match = models.CharField(_("run when"), max_length=3, choices=Match, default=Match.ALL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class AssignmentRule(RuleBase):
    """Run in order on every new ticket, inside the transaction that creates it."""

    stop_processing = models.BooleanField(
        _("stop after this rule"), default=False, help_text=_("Later rules are skipped.")
    )

    class Meta(RuleBase.Meta):
        verbose_name = _("assignment rule")


class AssignmentCondition(ConditionBase):
    rule = models.ForeignKey(AssignmentRule, on_delete=models.CASCADE, related_name="conditions")

    class Meta(ConditionBase.Meta):
        verbose_name = _("condition")


class AssignmentAction(ActionBase):
    rule = models.ForeignKey(AssignmentRule, on_delete=models.CASCADE, related_name="actions")

    class Meta(ActionBase.Meta):
        verbose_name = _("action")
