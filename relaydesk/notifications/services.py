"""Tell people: in the desk, by email, or both, as each of them chose.

`notify` runs inside a deferred subscriber (the task worker, after the change committed).
In-app rows are written at once; each email is its own task, so a failing mail server
only fails that task and never the change or the other recipients.
"""

import logging
from collections.abc import Iterable

from django.apps import apps
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_tasks import task

from relaydesk.accounts.models import User
from relaydesk.notifications.models import (
    BUILT_IN_DEFAULTS,
    Channel,
    Kind,
    Notification,
    Preference,
)
from relaydesk.tickets.models import Ticket

logger = logging.getLogger(__name__)


def channels_for(users: list[User], kind: str) -> dict[int, str]:
    """Each user's channel for KIND: own choice, else the admin default, else built in."""
    rows = Preference.objects.filter(kind=kind).filter(
        user__in=[u.id for u in users]
    ) | Preference.objects.filter(kind=kind, user__isnull=True)
    own, default = {}, BUILT_IN_DEFAULTS.get(kind, Channel.BOTH)
    for pref in rows:
        if pref.user_id is None:
            default = pref.channel
        else:
            own[pref.user_id] = pref.channel
    return {u.id: own.get(u.id, default) for u in users}


# The mail channel (relaydesk.mail) sends its own, richer receipt and reply mails to customers;
# when it is installed these kinds are not mailed again from here.
MAILED_BY_MAIL_CHANNEL = {Kind.RECEIVED, Kind.ANSWERED}


def _mail_channel_sends(kind: str) -> bool:
    return kind in MAILED_BY_MAIL_CHANNEL and apps.is_installed("relaydesk.mail")


def wants_email(user: User, kind: str) -> bool:
    """Whether USER chose email for KIND (for channels that send their own mail)."""
    return channels_for([user], kind)[user.id] in (Channel.EMAIL, Channel.BOTH)


def ticket_url(ticket: Ticket, user: User) -> str:
    try:
        if user.is_customer:
            return reverse("portal:ticket", args=[ticket.number])
        return reverse("desk:ticket", args=[ticket.number])
    except NoReverseMatch:
        return ""


def notify(
    users: Iterable[User],
    kind: str,
    ticket: Ticket | None,
    title: str,
    *,
    urgent: bool = False,
    exclude_id: int | None = None,
) -> list[Notification]:
    """Tell USERS (each as they chose) that KIND happened; skip EXCLUDE_ID (the actor)."""
    users = [
        u for u in dict((u.id, u) for u in users).values() if u.is_active and u.id != exclude_id
    ]
    if not users:
        return []
    channels = channels_for(users, kind)
    in_app = [
        Notification(
            user=u,
            kind=kind,
            ticket=ticket,
            title=title[:300],
            urgent=urgent,
            url=ticket_url(ticket, u) if ticket else "",
        )
        for u in users
        if channels[u.id] in (Channel.IN_APP, Channel.BOTH) and not u.is_customer
    ]
    created = Notification.objects.bulk_create(in_app)
    mailed_elsewhere = _mail_channel_sends(kind)
    for u in users:
        if channels[u.id] in (Channel.EMAIL, Channel.BOTH) and u.email and not mailed_elsewhere:
            url = ticket_url(ticket, u) if ticket else ""
            _enqueue_email(u.email, title, url)
    return created


def _enqueue_email(address: str, title: str, url: str) -> None:
    transaction.on_commit(lambda: send_notification_email.enqueue(address, title, url))


@task()
def send_notification_email(address: str, title: str, url: str) -> None:
    body = f"{title}\n\n{url}" if url else title
    send_mail(title, body, settings.DEFAULT_FROM_EMAIL, [address])


# --- reading and marking ------------------------------------------------------------------


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def recent(user: User, limit: int = 20):
    return Notification.objects.filter(user=user).select_related("ticket")[:limit]


def mark_read(user: User, notification_id: int | None = None) -> int:
    """Mark one (or, with None, every) notification of USER read."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        rows = rows.filter(id=notification_id)
    return rows.update(read_at=timezone.now())


def set_preference(user: User | None, kind: str, channel: str) -> Preference:
    if kind not in Kind.values or channel not in Channel.values:
        raise ValueError("unknown kind or channel")
    pref, _created = Preference.objects.update_or_create(
        user=user, kind=kind, defaults={"channel": channel}
    )
    return pref
