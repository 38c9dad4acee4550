"""In-app notifications and who wants what, by which channel."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relaydesk.tickets.models import Ticket


class Kind(models.TextChoices):
    # agents
    NEW_IN_QUEUE = "new_in_queue", _("A ticket arrives in my queue")
    URGENT = "urgent", _("An urgent ticket arrives in my queue")
    ASSIGNED = "assigned", _("A ticket is assigned to me")
    SHARED = "shared", _("A ticket is shared with me")
    CUSTOMER_REPLY = "customer_reply", _("The customer replies on my ticket")
    ESCALATED = "escalated", _("A ticket is escalated to me")
    SLA_WARNING = "sla_warning", _("An SLA is about to be breached")
    SLA_BREACHED = "sla_breached", _("An SLA is breached")
    # customers
    RECEIVED = "received", _("My request was received")
    ANSWERED = "answered", _("My request was answered")
    RESOLVED = "resolved", _("My request was resolved")


class Channel(models.TextChoices):
    BOTH = "both", _("Email and in the desk")
    EMAIL = "email", _("Email")
    IN_APP = "in_app", _("In the desk")
    NONE = "none", _("Nothing")


BUILT_IN_DEFAULTS = {
    Kind.NEW_IN_QUEUE: Channel.IN_APP,
    Kind.URGENT: Channel.BOTH,
    Kind.ASSIGNED: Channel.BOTH,
    Kind.SHARED: Channel.BOTH,
    Kind.CUSTOMER_REPLY: Channel.BOTH,
    Kind.ESCALATED: Channel.BOTH,
    Kind.SLA_WARNING: Channel.BOTH,
    Kind.SLA_BREACHED: Channel.BOTH,
    Kind.RECEIVED: Channel.EMAIL,
    Kind.ANSWERED: Channel.EMAIL,
    Kind.RESOLVED: Channel.EMAIL,
}


class Preference(models.Model):
    """USER's channel for KIND; a row without user is the admin's default for everybody."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        help_text=_("Empty: the default for everybody."),
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="pref_unique"),
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(user__isnull=True), name="pref_default_unique"
            ),
        ]
        verbose_name = _("notification preference")

    def __str__(self) -> str:
        return f"{self.user or 'default'}: {self.kind} -> {self.channel}"


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("title"), max_length=300)
    url = models.CharField(max_length=300, blank=True)
    urgent = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"], name="notif_user_unread"),
            models.Index(fields=["user", "-created_at", "-id"], name="notif_user_recent"),
        ]
        verbose_name = _("notification")

    def __str__(self) -> str:
        return self.title
