"""What the email channel keeps beside the tickets: mailboxes, every raw message received
(with its threading headers and what became of it), every mail sent, and the templates."""

import os
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relaydesk.accounts.models import Queue


class Mailbox(models.Model):
    """A mailbox polled for new mail (IMAP or POP3); its mail opens tickets in its queue."""

    class Protocol(models.TextChoices):
        IMAP = "imap", "IMAP"
        POP3 = "pop3", "POP3"

    class Security(models.TextChoices):
        SSL = "ssl", _("TLS (implicit, port 993/995)")
        STARTTLS = "starttls", _("STARTTLS")
        NONE = "none", _("None (only on a trusted network)")

    class Auth(models.TextChoices):
        PASSWORD = "password", _("Password")
        XOAUTH2 = "xoauth2", _("OAuth 2 (Microsoft 365, Google)")

    class AfterProcessing(models.TextChoices):
        SEEN = "seen", _("Mark as read")
        MOVE = "move", _("Move to a folder")
        DELETE = "delete", _("Delete")

    name = models.SlugField(_("name"), max_length=100, unique=True)
    queue = models.ForeignKey(
        Queue, verbose_name=_("queue"), on_delete=models.PROTECT, related_name="mailboxes"
    )
    address = models.EmailField(
        _("address"), blank=True, help_text=_("Mail to this address is never answered.")
    )
    protocol = models.CharField(_("protocol"), max_length=10, choices=Protocol,
                                default=Protocol.IMAP)  # fmt: skip
    host = models.CharField(_("host"), max_length=255, blank=True)
    port = models.PositiveIntegerField(_("port"), null=True, blank=True)
    security = models.CharField(_("security"), max_length=10, choices=Security,
                                default=Security.SSL)  # fmt: skip
    username = models.CharField(_("user name"), max_length=255, blank=True)
    password = models.CharField(_("password"), max_length=255, blank=True)
    auth = models.CharField(_("authentication"), max_length=10, choices=Auth,
                            default=Auth.PASSWORD)  # fmt: skip
    oauth_token_url = models.URLField(_("OAuth token endpoint"), blank=True)
    oauth_client_id = models.CharField(_("OAuth client id"), max_length=255, blank=True)
    oauth_client_secret = models.CharField(_("OAuth client secret"), max_length=255, blank=True)
    oauth_refresh_token = models.TextField(_("OAuth refresh token"), blank=True)
    oauth_access_token = models.TextField(blank=True, editable=False)
    oauth_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    after_processing = models.CharField(
        _("after processing"), max_length=10, choices=AfterProcessing,
        default=AfterProcessing.SEEN,
    )  # fmt: skip
    processed_folder = models.CharField(
        _("processed folder"), max_length=255, blank=True, default="Processed"
    )
    known_senders_only = models.BooleanField(
        _("only known senders"),
        default=False,
        help_text=_("Mail from addresses without an account is set aside, not turned into "
                    "tickets."),
    )  # fmt: skip
    is_active = models.BooleanField(_("active"), default=True)
    seen_uids = models.JSONField(default=list, blank=True, editable=False)  # POP3 UIDLs done
    polling_since = models.DateTimeField(null=True, blank=True, editable=False)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return self.name

    @property
    def default_port(self) -> int:
        if self.protocol == self.Protocol.POP3:
            return 995 if self.security == self.Security.SSL else 110
        return 993 if self.security == self.Security.SSL else 143


def raw_path(instance: "InboundMail", filename: str) -> str:
    return f"mail/raw/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.eml"


class InboundMail(models.Model):
    """One received message: stored raw before anything else, then processed (idempotently)."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, not processed yet")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored (automatic mail or loop)")
        REJECTED = "rejected", _("Rejected (unknown sender)")
        RATE_LIMITED = "rate_limited", _("Held (sender rate limit)")
        BOUNCE = "bounce", _("Bounce")
        QUARANTINED = "quarantined", _("Quarantined (could not be processed)")

    mail_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="received"
    )
    raw = models.FileField(_("raw message"), upload_to=raw_path, max_length=200)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    envelope_sender = models.CharField(max_length=320, blank=True)
    sender = models.CharField(_("sender"), max_length=320, blank=True, db_index=False)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status,
                              default=Status.RECEIVED)  # fmt: skip
    reason = models.TextField(_("reason or error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Indexed only where set (Meta.indexes): a message has neither when it is stored.
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="inbound_mails", db_index=False,
    )  # fmt: skip
    message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="inbound_mails", db_index=False,
    )  # fmt: skip
    created_ticket = models.BooleanField(default=False)
    quote_offset = models.PositiveIntegerField(
        null=True, blank=True,
        help_text=_("Where quoted history starts in the message's text (the UI folds it)."),
    )  # fmt: skip
    inline_images = models.JSONField(
        default=dict, blank=True, help_text=_("Content-ID to attachment id, for cid: images.")
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound mail")
        ordering = ["-received_at", "-id"]
        indexes = [
            # For the per-sender rate limit, which counts one sender's processed mail of the
            # last minutes. Partial: a message enters it once processed, not when received.
            models.Index(
                fields=["sender", "received_at"],
                condition=models.Q(status="processed"),
                name="inmail_processed_sender",
            ),
            models.Index(fields=["status", "received_at"], name="inmail_status"),
            # Partial, so storing a message (before it has a ticket) writes neither index.
            models.Index(
                fields=["ticket"], condition=models.Q(ticket__isnull=False), name="inmail_ticket"
            ),
            models.Index(
                fields=["message"], condition=models.Q(message__isnull=False), name="inmail_message"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"

    def read_raw(self) -> bytes:
        with self.raw.open("rb") as handle:
            return handle.read()

    def store_raw(self, raw: bytes) -> None:
        """Write RAW to the file storage as this message's file (the row is saved apart).

        On the local file system (the default storage) the file is written directly:
        Storage.save() spends ~80 µs more on name checks, path parsing and a lock, which a
        fresh random name needs none of. Other storages, and a month's first message (its
        folder does not exist yet), take the generic way.
        """
        storage = self.raw.storage
        name = raw_path(self, "message.eml")
        # __class__, not type(): default_storage is a lazy proxy; a subclass may override _save.
        if storage.__class__ is FileSystemStorage:
            path = storage.path(name)
            try:
                with open(path, "xb") as handle:  # x: never overwrite, as Storage.save()
                    handle.write(raw)
            except FileNotFoundError:
                pass
            else:
                if storage.file_permissions_mode is not None:
                    os.chmod(path, storage.file_permissions_mode)
                self.raw = name
                return
        self.raw = storage.save(name, ContentFile(raw), max_length=self.raw.field.max_length)


class OutboundMail(models.Model):
    """One mail we send (a receipt or an agent's reply): queued, retried, its outcome kept."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        REPLY = "reply", _("Reply")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE,
                               related_name="outbound_mails")  # fmt: skip
    message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="outbound_mails",
    )  # fmt: skip
    kind = models.CharField(max_length=10, choices=Kind)
    mail_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    recipients = models.TextField(_("recipients"))
    subject = models.CharField(_("subject"), max_length=998)
    status = models.CharField(_("status"), max_length=10, choices=Status,
                              default=Status.PENDING)  # fmt: skip
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbound mail")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outmail_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject}"


class MailTemplate(models.Model):
    """An admin's version of an outbound mail (Django template syntax, ticket context).

    Without a row, the files in relaydesk/mail/templates/mail/ are used.
    """

    class Key(models.TextChoices):
        RECEIPT = "receipt", _("Receipt to the customer for a new ticket")
        REPLY = "reply", _("Agent reply to the customer")

    key = models.CharField(_("mail"), max_length=20, choices=Key, unique=True)
    subject = models.CharField(_("subject"), max_length=500)
    text = models.TextField(_("text version"))
    html = models.TextField(_("HTML version"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mail template")

    def __str__(self) -> str:
        return self.get_key_display()


_own_cache: dict[str, object] = {}
OWN_ADDRESSES_TTL = 60.0  # seconds; saving a queue or mailbox clears it in this process


def own_addresses() -> set[str]:
    """Every address mail comes from when we send it: never answer or ingest these."""
    import time

    cached = _own_cache.get("addresses")
    if cached is not None and time.monotonic() - _own_cache["at"] < OWN_ADDRESSES_TTL:
        return cached  # type: ignore[return-value]
    addresses = {settings.DEFAULT_FROM_EMAIL.lower()}
    addresses.update(
        a.lower() for a in Queue.objects.exclude(email="").values_list("email", flat=True)
    )
    addresses.update(a.lower() for a in Mailbox.objects.exclude(address="").values_list(
        "address", flat=True))  # fmt: skip
    _own_cache.update(addresses=addresses, at=time.monotonic())
    return addresses


def forget_own_addresses(**_kwargs) -> None:
    _own_cache.clear()
