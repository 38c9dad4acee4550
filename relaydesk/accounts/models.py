import hashlib
import secrets
import zoneinfo

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_TIER = 4


def validate_time_zone(value: str) -> None:
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Organization(models.Model):
    """A customer's company. Its members may be allowed to see each other's tickets."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    domains = models.CharField(
        _("email domains"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated; customers signing up from these domains join it."),
    )
    members_see_all_tickets = models.BooleanField(
        _("members see all the organization's tickets"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")

    def __str__(self) -> str:
        return self.name

    def domain_list(self) -> list[str]:
        return [d.strip().lower() for d in self.domains.split(",") if d.strip()]


class Queue(models.Model):
    """An area of expertise that tickets live in and agents are members of."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    email = models.EmailField(_("email address"), blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("queue")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("role", User.Role.CUSTOMER)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=User.Role.ADMIN)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, email: str):
        return self.get(email__iexact=email)


class User(AbstractUser):
    """Everybody who signs in: staff (admin, supervisor, agent) and customers."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        SUPERVISOR = "supervisor", _("Supervisor")
        AGENT = "agent", _("Agent")
        CUSTOMER = "customer", _("Customer")

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.CUSTOMER)
    tier = models.PositiveSmallIntegerField(
        _("highest tier worked"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TIER)],
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    is_org_manager = models.BooleanField(
        _("organization manager"),
        default=False,
        help_text=_("Sees every ticket of the organization."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_time_zone]
    )
    queues = models.ManyToManyField(
        Queue, through="QueueMembership", related_name="agents", blank=True
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        indexes = [models.Index(fields=["role", "email"], name="user_role_email")]
        constraints = [
            # Every writer stores emails lower-case, so that look-ups (each inbound mail's
            # sender, sign-in) are one exact match on the unique index: the database holds
            # every writer to it.
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")),
                name="user_email_lower_case",
                violation_error_message=_("Email addresses are stored in lower case."),
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    @property
    def is_agent(self) -> bool:
        """Staff who work tickets (admins and supervisors too)."""
        return self.role != self.Role.CUSTOMER

    @property
    def is_customer(self) -> bool:
        return self.role == self.Role.CUSTOMER

    @property
    def sees_all_tickets(self) -> bool:
        return self.role in (self.Role.ADMIN, self.Role.SUPERVISOR)

    def queue_ids(self) -> list[int]:
        """The ids of this agent's queues, fetched once per user object."""
        cached = getattr(self, "_queue_ids", None)
        if cached is None:
            cached = list(
                QueueMembership.objects.filter(user=self).values_list("queue_id", flat=True)
            )
            self._queue_ids = cached
        return cached


class QueueMembership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "queue"], name="membership_unique")]
        verbose_name = _("queue membership")

    def __str__(self) -> str:
        return f"{self.user} in {self.queue}"


class ApiToken(models.Model):
    """A bearer token for the REST API. Only a hash is stored; the token is shown once."""

    PREFIX = "rd_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.user} {self.name}".strip()

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str = "") -> tuple["ApiToken", str]:
        key = cls.PREFIX + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, key_hash=cls.hash(key)), key


class LoginFailure(models.Model):
    """One failed sign-in, counted by the sign-in throttle (relaydesk/accounts/throttle.py).

    The email is what was typed, normalized, whether or not an account has it: the throttle
    must treat unknown addresses exactly like known ones.
    """

    email = models.CharField(_("email address"), max_length=254)
    ip_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), default=timezone.now)

    class Meta:
        ordering = ["-failed_at"]
        verbose_name = _("failed sign-in")
        indexes = [
            # The throttle's two look-ups (recent failures of one email, of one address), and
            # pruning and the admin's newest-first list.
            models.Index(fields=["email", "failed_at"], name="loginfailure_email_time"),
            models.Index(fields=["ip_address", "failed_at"], name="loginfailure_ip_time"),
            models.Index(fields=["failed_at"], name="loginfailure_time"),
        ]

    def __str__(self) -> str:
        return f"{self.email} from {self.ip_address or '?'}"


class PasswordResetRequest(models.Model):
    """One password reset mail asked for, counted by the reset-mail limit (throttle.py).

    Like LoginFailure, the email is what was typed, normalized, whether or not an account has
    it: the limit must treat unknown addresses exactly like known ones.
    """

    email = models.CharField(_("email address"), max_length=254)
    ip_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("password reset request")
        indexes = [
            # The limit's two look-ups (recent requests for one email, from one address), and
            # pruning.
            models.Index(fields=["email", "requested_at"], name="resetrequest_email_time"),
            models.Index(fields=["ip_address", "requested_at"], name="resetrequest_ip_time"),
            models.Index(fields=["requested_at"], name="resetrequest_time"),
        ]

    def __str__(self) -> str:
        return f"{self.email} from {self.ip_address or '?'}"
