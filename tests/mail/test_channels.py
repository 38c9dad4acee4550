"""The other ways in (CLI, LMTP/SMTP listener), quarantine with the admin's retry, rate limit,
and EMAIL_URL parsing."""

import io
import json
import smtplib
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from relaydesk.mail import ingest as ingest_module
from relaydesk.mail import listen
from relaydesk.mail.ingest import ingest, retry_unprocessed
from relaydesk.mail.models import InboundMail
from relaydesk.settings import parse_email_url
from relaydesk.tickets.models import Ticket
from tests.mail.conftest import CORPUS, SUPPORT, free_port


def test_cli_ingest_json(mailbox, customer, capsys):
    files = [str(CORPUS / "plain.eml"), str(CORPUS / "nested-inline-cid.eml")]
    call_command("mail", "ingest", "--mailbox", "it", "--json", *files)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["created"] for line in lines] == [True, True]
    first, second = lines
    assert first["ticket"] == Ticket.objects.get(subject="VPN drops every hour").number
    assert first["from"] == "customer@acme.test" and "every hour" in first["body"]
    assert {a["filename"] for a in second["attachments"]} == {"shot.png", "log.pdf"}
    assert all(set(a) == {"filename", "content_type", "size"} for a in second["attachments"])


def test_cli_ingest_stdin_and_unknown_mailbox(mailbox, customer, monkeypatch, capsys):
    raw = (CORPUS / "plain.eml").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    call_command("mail", "ingest", "-")
    assert "(new)" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No mailbox"):
        call_command("mail", "ingest", "--mailbox", "nope", "-")


def test_cli_fails_only_when_nothing_could_be_stored(mailbox, tmp_path):
    with pytest.raises(CommandError, match="could not be stored"):
        call_command("mail", "ingest", str(tmp_path / "missing.eml"))
    # A message that cannot become a ticket is still stored: the command succeeds.
    call_command("mail", "ingest", str(CORPUS / "auto-reply.eml"))
    assert InboundMail.objects.get().status == InboundMail.Status.IGNORED


@pytest.mark.django_db(transaction=True)
def test_lmtp_listener_delivers_into_tickets(queue, make_mail):
    from relaydesk.mail.models import Mailbox

    Mailbox.objects.create(name="lmtp", queue=queue, address=SUPPORT)
    port = free_port()
    controller = listen.start("127.0.0.1", port, lmtp=True)
    try:
        with smtplib.LMTP("127.0.0.1", port) as client:
            refused = client.sendmail("customer@acme.test", [SUPPORT],
                                      make_mail(subject="Via LMTP"))  # fmt: skip
        assert refused == {}
    finally:
        controller.stop()
    ticket = Ticket.objects.get()
    assert ticket.subject == "Via LMTP" and ticket.queue == queue
    assert InboundMail.objects.get().envelope_sender == "customer@acme.test"


@pytest.mark.django_db(transaction=True)
def test_smtp_listener_asks_to_retry_when_storing_fails(queue, make_mail, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(listen, "ingest", broken)
    port = free_port()
    controller = listen.start("127.0.0.1", port, lmtp=False)
    try:
        with smtplib.SMTP("127.0.0.1", port) as client:
            with pytest.raises(smtplib.SMTPDataError) as error:
                client.sendmail("customer@acme.test", [SUPPORT], make_mail())
        assert error.value.smtp_code == 451  # the MTA keeps the mail and tries again
    finally:
        controller.stop()


def test_quarantine_and_admin_retry(mailbox, make_mail, monkeypatch, client_for, admin_user):
    def crash(*args, **kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(ingest_module.services, "open_ticket", crash)
    result = ingest(make_mail(), mailbox=mailbox)
    inbound = result.inbound
    assert inbound.status == InboundMail.Status.QUARANTINED
    assert "database hiccup" in inbound.reason
    assert Ticket.objects.count() == 0
    monkeypatch.undo()
    client = client_for(admin_user)
    page = client.get(reverse("admin:mail_inboundmail_changelist") + "?status=quarantined")
    assert page.status_code == 200 and b"Printer on fire" in page.content
    response = client.post(
        reverse("admin:mail_inboundmail_changelist"),
        {"action": "retry_processing", "_selected_action": [inbound.pk]},
    )
    assert response.status_code == 302
    inbound.refresh_from_db()
    assert inbound.status == InboundMail.Status.PROCESSED and inbound.attempts == 2
    assert Ticket.objects.get().subject == "Printer on fire"


def test_crash_in_the_middle_is_retried(mailbox, make_mail):
    from datetime import timedelta

    from django.utils import timezone

    stored = ingest_module.receive(make_mail(), mailbox=mailbox)  # then the process died
    assert stored.inbound.status == InboundMail.Status.RECEIVED
    assert retry_unprocessed() == 0  # too recent: it may still be in progress
    later = timezone.now() + timedelta(minutes=10)
    assert retry_unprocessed(now=later) == 1
    stored.inbound.refresh_from_db()
    assert stored.inbound.status == InboundMail.Status.PROCESSED


def test_rate_limit_stops_a_mail_storm(mailbox, make_mail, settings):
    settings.MAIL_RATE_LIMIT = 3
    results = [ingest(make_mail(subject=f"Storm {n}"), mailbox=mailbox) for n in range(5)]
    assert [r.inbound.status for r in results] == ["processed"] * 3 + ["rate_limited"] * 2
    assert Ticket.objects.count() == 3
    other = ingest(make_mail(sender="other@acme.test"), mailbox=mailbox)
    assert other.inbound.status == "processed"  # the limit is per sender


def test_known_senders_only(mailbox, make_mail, customer):
    mailbox.known_senders_only = True
    mailbox.save()
    assert ingest(make_mail(sender="new@nowhere.test"), mailbox=mailbox).inbound.status == (
        InboundMail.Status.REJECTED
    )
    assert ingest(make_mail(), mailbox=mailbox).inbound.status == InboundMail.Status.PROCESSED


def test_unknown_sender_becomes_customer_of_the_domain_organization(mailbox, make_mail, org):
    result = ingest(make_mail(sender="Nora New <nora@acme.test>"), mailbox=mailbox)
    requester = result.ticket.requester
    assert requester.is_customer and requester.full_name == "Nora New"
    assert requester.organization == org and not requester.has_usable_password()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://u%40x:p%3Ass@mail.test:2525", {"EMAIL_HOST": "mail.test", "EMAIL_PORT": 2525,
         "EMAIL_HOST_USER": "u@x", "EMAIL_HOST_PASSWORD": "p:ss", "EMAIL_USE_TLS": False}),
        ("smtp+tls://mail.test", {"EMAIL_PORT": 587, "EMAIL_USE_TLS": True,
                                  "EMAIL_USE_SSL": False}),
        ("smtps://mail.test?timeout=5", {"EMAIL_PORT": 465, "EMAIL_USE_SSL": True,
                                         "EMAIL_TIMEOUT": 5}),
        ("console://", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        ("", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        ("locmem://", {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}),
    ],
)  # fmt: skip
def test_email_url(url, expected):
    config = parse_email_url(url)
    assert {k: config[k] for k in expected} == expected


@pytest.mark.parametrize(
    "url", ["smtpx://mail.test", "smtp://", "smtp://h:port", "smtp://h?timeout=x"]
)
def test_bad_email_url_fails_loudly(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        parse_email_url(url)


@pytest.mark.postgres  # the server lists its sessions; SQLite has none to leave open
@pytest.mark.django_db(transaction=True)
def test_the_listener_leaves_no_database_session_behind(queue, make_mail):
    from django.db import connection

    def other_sessions() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return cursor.fetchone()[0]

    before = other_sessions()
    port = free_port()
    controller = listen.start("127.0.0.1", port, lmtp=True, default_mailbox=None)
    try:
        with smtplib.LMTP("127.0.0.1", port) as client:
            for n in range(3):
                client.sendmail("customer@acme.test", [SUPPORT], make_mail(subject=f"M{n}"))
    finally:
        controller.stop()
    assert Ticket.objects.count() == 3
    assert other_sessions() == before
