"""The sign-in throttle: against password guessing on a help desk open to the internet.

After LOGIN_FAILURE_LIMIT failed sign-ins for one email address within
LOGIN_FAILURE_WINDOW_MINUTES, sign-in for that address is refused, without looking at the
password, until the window has passed; LOGIN_FAILURE_IP_LIMIT does the same for one client
address across every email tried from it. A successful sign-in clears the failures of its
email address. Addresses with no account are counted exactly like the others, so the throttle
never tells whether an account exists.

Failures are rows in the database (LoginFailure), so every web worker and process counts the
same ones without a cache server. Attempts refused while locked are not recorded: the lock ends
when the window says, however often an attacker knocks.

The password reset form has a limit of the same kind: PASSWORD_RESET_MAIL_LIMIT reset mails an
hour for one email address and PASSWORD_RESET_MAIL_IP_LIMIT from one client address, counted
as PasswordResetRequest rows, known and unknown addresses alike.
"""

import ipaddress
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relaydesk.accounts.models import LoginFailure, PasswordResetRequest

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Lockout:
    """Sign-in is refused until UNTIL: for the email address, or (BY_ADDRESS) for the client."""

    until: datetime
    by_address: bool = False

    def minutes_left(self, now: datetime | None = None) -> int:
        seconds = (self.until - (now or timezone.now())).total_seconds()
        return max(1, math.ceil(seconds / 60))

    def message(self, now: datetime | None = None) -> str:
        minutes = self.minutes_left(now)
        if self.by_address:
            text = ngettext(
                "Too many failed sign-ins from your network. "
                "Please wait %(minutes)d minute and try again.",
                "Too many failed sign-ins from your network. "
                "Please wait %(minutes)d minutes and try again.",
                minutes,
            )
        else:
            text = ngettext(
                "Too many failed sign-ins for this email address. "
                "Please wait %(minutes)d minute and try again.",
                "Too many failed sign-ins for this email address. "
                "Please wait %(minutes)d minutes and try again.",
                minutes,
            )
        return f"{text % {'minutes': minutes}} " + _(
            "Forgot your password? Reset it by email from the sign-in page."
        )


def normalize_email(email: str) -> str:
    """The form the throttle counts EMAIL in (accounts store theirs lower-case too)."""
    return (email or "").strip().lower()[: LoginFailure._meta.get_field("email").max_length]


# --- the client's address ----------------------------------------------------------------


def client_ip(request: HttpRequest | None) -> str | None:
    """The address the request came from: REMOTE_ADDR, unless that is a trusted proxy.

    Through trusted proxies (TRUSTED_PROXIES) X-Forwarded-For is read from the right, each
    proxy having appended the address it saw, up to the first address that is not a trusted
    proxy. Entries further left were written by the client and could be anything.
    """
    if request is None:
        return None
    address = _parse_ip(request.META.get("REMOTE_ADDR", ""))
    if address is None:
        return None
    trusted = _networks(tuple(settings.TRUSTED_PROXIES))
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    while _is_trusted(address, trusted) and hops:
        hop = _parse_ip(hops.pop())
        if hop is None:
            break  # a proxy never writes garbage: stop at the last proxy we know
        address = hop
    return str(address)


def _parse_ip(text: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 client reached over an IPv6 socket is the same client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


@cache
def _networks(
    proxies: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _is_trusted(address: IPAddress, trusted) -> bool:
    return any(address in network for network in trusted)


# --- counting -----------------------------------------------------------------------------


def _window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def lockout(email: str, ip: str | None, *, now: datetime | None = None) -> Lockout | None:
    """The lockout in force for a sign-in to EMAIL from IP, or None when it may be tried.

    When both limits are reached, the one that ends later is returned.
    """
    now = now or timezone.now()
    since = now - _window()
    found = []
    by_email = _locked_until(
        LoginFailure.objects.filter(email=normalize_email(email)),
        settings.LOGIN_FAILURE_LIMIT,
        since,
    )
    if by_email is not None:
        found.append(Lockout(by_email))
    if ip is not None:
        by_ip = _locked_until(
            LoginFailure.objects.filter(ip_address=ip), settings.LOGIN_FAILURE_IP_LIMIT, since
        )
        if by_ip is not None:
            found.append(Lockout(by_ip, by_address=True))
    return max(found, key=lambda lock: lock.until, default=None)


def _locked_until(failures: QuerySet, limit: int, since: datetime) -> datetime | None:
    """When FAILURES within the window fall below LIMIT again; None if they already are."""
    if limit <= 0:
        return None  # this limit is turned off
    # The LIMIT-th most recent failure since SINCE: once it leaves the window, fewer than
    # LIMIT remain. One indexed look-up, however many rows an attack has written.
    nth = list(
        failures.filter(failed_at__gt=since)
        .order_by("-failed_at")
        .values_list("failed_at", flat=True)[limit - 1 : limit]
    )
    return nth[0] + _window() if nth else None


def record_failure(email: str, ip: str | None, *, now: datetime | None = None) -> LoginFailure:
    """Count one failed sign-in for EMAIL from IP."""
    return LoginFailure.objects.create(
        email=normalize_email(email), ip_address=ip, failed_at=now or timezone.now()
    )


def clear_failures(email: str) -> int:
    """Forget EMAIL's failures after a successful sign-in; returns how many there were."""
    deleted, _by_model = LoginFailure.objects.filter(email=normalize_email(email)).delete()
    return deleted


def prune(*, now: datetime | None = None) -> int:
    """Delete failures older than both the window and LOGIN_FAILURE_KEEP_HOURS, and reset
    requests older than both their window and LOGIN_FAILURE_KEEP_HOURS; returns how many."""
    now = now or timezone.now()
    keep = timedelta(hours=settings.LOGIN_FAILURE_KEEP_HOURS)
    failures, _by_model = LoginFailure.objects.filter(
        failed_at__lt=now - max(_window(), keep)
    ).delete()
    requests, _by_model = PasswordResetRequest.objects.filter(
        requested_at__lt=now - max(RESET_MAIL_WINDOW, keep)
    ).delete()
    return failures + requests


# --- reset mails --------------------------------------------------------------------------

RESET_MAIL_WINDOW = timedelta(hours=1)


def claim_reset_mail(
    email: str, ip: str | None, *, now: datetime | None = None
) -> PasswordResetRequest | None:
    """Count one password reset mail for EMAIL asked from IP, or return None when the limits
    have been reached (and count nothing).

    The request is written first and then counted together with the ones written before it,
    so two workers answering at the same moment cannot both take the last mail allowed.
    Refused requests are removed again: a limit ends an hour after the mails it counted,
    however often it is knocked on.
    """
    now = now or timezone.now()
    claim = PasswordResetRequest.objects.create(
        email=normalize_email(email), ip_address=ip, requested_at=now
    )
    earlier = PasswordResetRequest.objects.filter(
        requested_at__gt=now - RESET_MAIL_WINDOW, id__lte=claim.id
    )
    limits = [(settings.PASSWORD_RESET_MAIL_LIMIT, {"email": claim.email})]
    if ip is not None:
        limits.append((settings.PASSWORD_RESET_MAIL_IP_LIMIT, {"ip_address": ip}))
    for limit, same in limits:
        if limit > 0 and earlier.filter(**same).count() > limit:
            claim.delete()
            return None
    return claim


def release_reset_mail(claim: PasswordResetRequest) -> None:
    """The mail CLAIM counted could not be sent: it does not count against the limits."""
    PasswordResetRequest.objects.filter(pk=claim.pk).delete()


# --- the sign-in forms --------------------------------------------------------------------


class ThrottledSignInMixin:
    """For AuthenticationForm subclasses: refuse a locked sign-in before the password is
    checked, count a wrong password, and clear the email's failures on success."""

    def clean(self):
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email is None or not password:
            return super().clean()  # nothing is authenticated: the field errors say why
        ip = client_ip(self.request)
        locked = lockout(email, ip)
        if locked is not None:
            logger.warning(
                "sign-in refused by the throttle (%s) from %s",
                "client address" if locked.by_address else "email address",
                ip,
            )
            raise ValidationError(locked.message(), code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError as exc:
            if getattr(exc, "code", None) == "invalid_login":
                record_failure(email, ip)
            raise
        clear_failures(email)
        return cleaned
