"""SLA policies, business calendars and each ticket's clock."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from relaydesk.accounts.models import Organization, Queue, validate_time_zone
from relaydesk.tickets.models import Ticket, TicketType


def validate_country(value: str) -> None:
    import holidays

    if value and value.upper() not in holidays.list_supported_countries():
        raise ValidationError(
            _("%(value)s is not a country the holidays package knows."), params={"value": value}
        )


class BusinessCalendar(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    country = models.CharField(
        _("public holidays of country"),
        max_length=3,
        blank=True,
        validators=[validate_country],
        help_text=_("ISO code, e.g. DE, FR, US; leave empty for none."),
    )
    subdivision = models.CharField(
        _("region"), max_length=10, blank=True, help_text=_("e.g. BY for Bavaria.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"), help_text=_("00:00 means midnight at the day's end."))

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"

    def minutes(self) -> tuple[int, int]:
        end = self.end.hour * 60 + self.end.minute
        return self.start.hour * 60 + self.start.minute, end or 24 * 60


class Holiday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique")]
        verbose_name = _("holiday")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SlaPolicy(models.Model):
    """Targets for tickets that match; the first active policy in order applies."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Ticket.Priority, null=True, blank=True, help_text=_("Empty: any.")
    )
    ticket_type = models.ForeignKey(
        TicketType, verbose_name=_("type"), null=True, blank=True, on_delete=models.CASCADE
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    queue = models.ForeignKey(
        Queue, verbose_name=_("queue"), null=True, blank=True, on_delete=models.CASCADE
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty: round the clock."),
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response within (business minutes)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (business minutes)"), null=True, blank=True
    )
    warning_minutes = models.PositiveIntegerField(
        _("warn this many business minutes before"), default=30
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class SlaAction(models.Model):
    class Moment(models.TextChoices):
        WARNING = "warning", _("Warning")
        BREACH = "breach", _("Breach")

    class Target(models.TextChoices):
        ANY = "any", _("Either target")
        FIRST_RESPONSE = "first_response", _("First response")
        RESOLUTION = "resolution", _("Resolution")

    class Kind(models.TextChoices):
        NOTIFY_ASSIGNEE = "notify_assignee", _("Notify the assignee (or the queue)")
        NOTIFY_SUPERVISORS = "notify_supervisors", _("Notify supervisors")
        RAISE_PRIORITY = "raise_priority", _("Raise priority one step")
        ESCALATE_TIER = "escalate_tier", _("Escalate one tier")

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="actions")
    moment = models.CharField(_("when"), max_length=10, choices=Moment)
    target = models.CharField(_("target"), max_length=20, choices=Target, default=Target.ANY)
    kind = models.CharField(_("action"), max_length=20, choices=Kind)

    class Meta:
        ordering = ["id"]
        verbose_name = _("SLA action")

    def __str__(self) -> str:
        return f"{self.moment}: {self.kind}"


class TicketClock(models.Model):
    """A ticket's SLA state. Due times already include the business time spent paused."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="sla_clock")
    policy = models.ForeignKey(SlaPolicy, null=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField()
    paused_since = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0)  # business seconds
    response_due = models.DateTimeField(null=True, blank=True)
    response_warn_at = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True)
    response_warned_at = models.DateTimeField(null=True, blank=True)
    response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_warned_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    # The soonest unmet due time (for "due soonest"), and when the checker must look next.
    due_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SLA clock")
        indexes = [
            models.Index(fields=["next_check_at"], name="slaclock_check"),
            models.Index(fields=["due_at"], name="slaclock_due"),
        ]

    def __str__(self) -> str:
        return f"clock of {self.ticket_id}"

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None
