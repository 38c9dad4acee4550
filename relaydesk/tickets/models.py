from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relaydesk.accounts.models import MAX_TIER, Organization, Queue


class CustomField(models.Model):
    """An admin-defined field; ticket types choose which of them their form shows."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        CHOICE = "choice", _("Choice")
        MULTI_CHOICE = "multi_choice", _("Multiple choice")
        DATE = "date", _("Date")
        CHECKBOX = "checkbox", _("Checkbox")

    key = models.SlugField(_("key"), max_length=50, unique=True)
    label = models.CharField(_("label"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.TEXT)
    choices = models.TextField(_("choices"), blank=True, help_text=_("One choice per line."))
    required = models.BooleanField(_("required"), default=False)
    customer_visible = models.BooleanField(
        _("visible to the customer"),
        default=True,
        help_text=_("Internal fields are shown and edited only in the desk."),
    )
    help_text = models.CharField(_("help text"), max_length=200, blank=True)

    class Meta:
        ordering = ["label"]
        verbose_name = _("custom field")

    def __str__(self) -> str:
        return self.label

    def choice_list(self) -> list[str]:
        return [c.strip() for c in self.choices.splitlines() if c.strip()]


class TicketType(models.Model):
    """Hardware, Software, Access...: what the request is about, and which form it gets."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    fields = models.ManyToManyField(CustomField, through="TypeField", blank=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("ticket type")

    def __str__(self) -> str:
        return self.name


class TypeField(models.Model):
    ticket_type = models.ForeignKey(TicketType, on_delete=models.CASCADE, related_name="+")
    field = models.ForeignKey(CustomField, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket_type", "field"], name="typefield_unique")
        ]
        verbose_name = _("form field")

    def __str__(self) -> str:
        return f"{self.ticket_type}: {self.field}"


class Ticket(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING = "waiting", _("Waiting for customer")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        FEEDBACK = "feedback", _("Feedback")

    class Priority(models.IntegerChoices):
        LOW = 1, _("Low")
        NORMAL = 2, _("Normal")
        HIGH = 3, _("High")
        URGENT = 4, _("Urgent")

    class Channel(models.TextChoices):
        WEB = "web", _("Portal")
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        API = "api", _("API")
        DESK = "desk", _("Desk")

    OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.WAITING, Status.FEEDBACK)

    number = models.BigIntegerField(_("number"), unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=500)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority, default=Priority.NORMAL
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel, default=Channel.WEB)
    # Requester and organization lead a composite index below and get no index of their own
    # (one fewer to write on every ticket created or changed). Queue and assignee keep theirs:
    # a one-column index is (column, id) underneath, which checks a search's batch of ids
    # against an agent's queues by seeking; the composite ones would scan every ticket of
    # the queues (bench/README.md).
    queue = models.ForeignKey(
        Queue, verbose_name=_("queue"), on_delete=models.PROTECT, related_name="tickets"
    )
    tier = models.PositiveSmallIntegerField(_("tier"), default=1)
    ticket_type = models.ForeignKey(
        TicketType,
        verbose_name=_("type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,  # tk_type, below: only where set
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="requested_tickets",
        db_index=False,
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    collaborators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="TicketShare",
        through_fields=("ticket", "user"),
        related_name="shared_tickets",
        blank=True,
    )
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    follow_up_of = models.ForeignKey(
        "self",
        verbose_name=_("follow-up of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
        db_index=False,  # tk_follow_up, below: only where set
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("last activity"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        # Each index matches a view's filter and its (updated_at, id) keyset order.
        indexes = [
            models.Index(fields=["updated_at", "id"], name="tk_updated"),
            models.Index(fields=["created_at", "id"], name="tk_created"),
            models.Index(fields=["status", "updated_at", "id"], name="tk_status"),
            # "Newest first" lists merge one range of this per status (as tk_status for
            # last activity): without it, every visible ticket was sorted (1.2 s at a million).
            models.Index(fields=["status", "created_at", "id"], name="tk_status_created"),
            models.Index(fields=["queue", "status", "updated_at", "id"], name="tk_queue"),
            models.Index(fields=["assignee", "status", "updated_at", "id"], name="tk_assignee"),
            models.Index(fields=["tier", "status", "updated_at", "id"], name="tk_tier"),
            models.Index(fields=["requester", "updated_at", "id"], name="tk_requester"),
            models.Index(fields=["organization", "updated_at", "id"], name="tk_org"),
            # Foreign keys that are mostly empty are indexed only where set (for deleting a
            # type, finding follow-ups): a ticket without them writes no entry there.
            models.Index(
                fields=["ticket_type"],
                name="tk_type",
                condition=models.Q(ticket_type__isnull=False),
            ),
            models.Index(
                fields=["follow_up_of"],
                name="tk_follow_up",
                condition=models.Q(follow_up_of__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tier__gte=1, tier__lte=MAX_TIER), name="tk_tier_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        return f"{settings.TICKET_PREFIX}-{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class TicketShare(models.Model):
    """A colleague (or a customer's colleague) the ticket is shared with: sees and comments."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ticket_shares"
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "ticket"], name="share_unique")]
        verbose_name = _("share")

    def __str__(self) -> str:
        return f"{self.ticket_id} shared with {self.user_id}"


class Message(models.Model):
    """A public reply or an internal note. HTML is stored sanitized, with a text version."""

    # Indexed by msg_ticket (ticket, created_at), like the attachments and events below.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    is_internal = models.BooleanField(_("internal note"), default=False)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Ticket.Channel, default=Ticket.Channel.WEB
    )
    body_html = models.TextField(_("body (HTML)"))
    body_text = models.TextField(_("body (text)"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message")
        indexes = [models.Index(fields=["ticket", "created_at"], name="msg_ticket")]

    def __str__(self) -> str:
        return f"message {self.pk} on {self.ticket_id}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name is random: the original name is kept in the row, never trusted as a path.
    import uuid

    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="attachments", db_index=False
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        indexes = [models.Index(fields=["ticket", "created_at"], name="att_ticket")]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_internal(self) -> bool:
        return bool(self.message_id and self.message.is_internal)


class Event(models.Model):
    """The audit trail: who changed what on a ticket, when, from what to what."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        FIELD = "field", _("Field changed")
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        ESCALATED = "escalated", _("Escalated")
        DEESCALATED = "deescalated", _("De-escalated")
        SHARED = "shared", _("Shared")
        UNSHARED = "unshared", _("Unshared")
        MESSAGE = "message", _("Message")
        ATTACHMENT = "attachment", _("Attachment")
        FOLLOW_UP = "follow_up", _("Follow-up opened")

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # event_actor, below: automated changes have none
    )
    kind = models.CharField(max_length=20, choices=Kind)
    field = models.CharField(max_length=50, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("event")
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="event_ticket"),
            models.Index(
                fields=["actor"], name="event_actor", condition=models.Q(actor__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.field} on {self.ticket_id}"
