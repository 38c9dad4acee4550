"""Polling real mailboxes: a throw-away Dovecot serves IMAP (TLS, STARTTLS, XOAUTH2) and POP3."""

import imaplib
import time
from datetime import timedelta

from django.utils import timezone

from relaydesk.mail import tasks
from relaydesk.mail.mailboxes import poll
from relaydesk.mail.models import InboundMail, Mailbox
from relaydesk.tickets.models import Ticket
from tests.mail.dovecot import PASSWORD, USER


def deliver(imap_client, raw: bytes, folder="INBOX"):
    conn = imap_client()
    typ, _data = conn.append(folder, None, imaplib.Time2Internaldate(time.time()), raw)
    assert typ == "OK"


def box(queue, dovecot, **fields):
    defaults = dict(name="imap", queue=queue, host="127.0.0.1", port=dovecot.imaps_port,
                    security=Mailbox.Security.SSL, username=USER, password=PASSWORD)  # fmt: skip
    return Mailbox.objects.create(**{**defaults, **fields})


def uids(imap_client, folder, criteria="ALL"):
    conn = imap_client()
    conn.select(folder)
    return conn.uid("SEARCH", None, criteria)[1][0].split()


def test_imap_over_tls_marks_mail_read_and_keeps_it(queue, dovecot, imap_client, make_mail):
    deliver(imap_client, make_mail(subject="First"))
    deliver(imap_client, make_mail(subject="Second"))
    mailbox = box(queue, dovecot)
    result = poll(mailbox)
    assert (result.fetched, result.errors) == (2, [])
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["First", "Second"]
    assert set(Ticket.objects.values_list("queue", flat=True)) == {queue.id}
    assert len(uids(imap_client, "INBOX")) == 2  # nothing deleted by default
    assert uids(imap_client, "INBOX", "UNSEEN") == []
    assert poll(mailbox).fetched == 0
    mailbox.refresh_from_db()
    assert mailbox.last_polled_at and mailbox.last_error == "" and mailbox.polling_since is None


def test_imap_starttls_moves_processed_mail(queue, dovecot, imap_client, make_mail):
    deliver(imap_client, make_mail(subject="Move me"))
    mailbox = box(queue, dovecot, port=dovecot.imap_port, security=Mailbox.Security.STARTTLS,
                  after_processing=Mailbox.AfterProcessing.MOVE)  # fmt: skip
    assert poll(mailbox).fetched == 1
    assert uids(imap_client, "INBOX") == []
    assert len(uids(imap_client, "Processed")) == 1
    assert Ticket.objects.get().subject == "Move me"


def test_xoauth2_refreshes_the_token(queue, dovecot, imap_client, make_mail, oauth_endpoint):
    deliver(imap_client, make_mail(subject="Via OAuth"))
    before = oauth_endpoint.refresh_calls
    mailbox = box(queue, dovecot, auth=Mailbox.Auth.XOAUTH2, password="",
                  oauth_token_url=f"{oauth_endpoint.url}/token", oauth_client_id="relaydesk",
                  oauth_refresh_token=oauth_endpoint.REFRESH_TOKEN,
                  oauth_access_token="expired-token",
                  oauth_expires_at=timezone.now() - timedelta(minutes=5))  # fmt: skip
    result = poll(mailbox)
    assert result.errors == [] and result.fetched == 1
    mailbox.refresh_from_db()
    assert mailbox.oauth_access_token == oauth_endpoint.issued[-1]
    assert mailbox.oauth_refresh_token == "refresh-2"  # the rotated refresh token is kept
    assert oauth_endpoint.refresh_calls == before + 1
    # A token the server no longer accepts, though not expired, is refreshed once and retried.
    deliver(imap_client, make_mail(subject="Revoked token"))
    Mailbox.objects.filter(pk=mailbox.pk).update(oauth_access_token="revoked-token")
    mailbox.refresh_from_db()
    assert poll(mailbox).fetched == 1
    assert oauth_endpoint.refresh_calls == before + 2


def test_bad_password_is_reported_on_the_mailbox(queue, dovecot, imap_client):
    mailbox = box(queue, dovecot, password="wrong")
    result = poll(mailbox)
    assert result.fetched == 0 and "AUTHENTICATIONFAILED" in result.errors[0].upper().replace(
        " ", "")  # fmt: skip
    mailbox.refresh_from_db()
    assert mailbox.last_error


def test_pop3_remembers_what_it_stored(queue, dovecot, imap_client, make_mail):
    deliver(imap_client, make_mail(subject="Over POP3"))
    mailbox = box(queue, dovecot, name="pop", protocol=Mailbox.Protocol.POP3,
                  port=dovecot.pop3_port, security=Mailbox.Security.STARTTLS)  # fmt: skip
    assert poll(mailbox).fetched == 1
    assert Ticket.objects.get().subject == "Over POP3"
    assert poll(mailbox).fetched == 0  # left on the server, not fetched again
    assert len(uids(imap_client, "INBOX")) == 1
    mailbox.after_processing = Mailbox.AfterProcessing.DELETE
    mailbox.save()
    poll(mailbox)
    assert uids(imap_client, "INBOX") == []
    assert Ticket.objects.count() == 1  # the re-download was recognised by its Message-ID


def test_mailboxes_poll_independently(queue, dovecot, imap_client, make_mail):
    deliver(imap_client, make_mail(subject="Still arrives"))
    broken = box(queue, dovecot, name="broken", port=1)  # nothing listens there
    working = box(queue, dovecot, name="working")
    assert tasks.poll_mailboxes.call() == 2  # one task per mailbox
    broken.refresh_from_db()
    working.refresh_from_db()
    assert broken.last_error and working.last_error == ""
    assert Ticket.objects.get().subject == "Still arrives"


def test_huge_message_is_stored_and_its_oversize_file_kept_raw(queue, dovecot, imap_client,
                                                               make_mail, settings):  # fmt: skip
    from email import message_from_bytes, policy

    msg = message_from_bytes(make_mail(subject="Big one"), policy=policy.default)
    msg.add_attachment(b"\0" * (9 * 1024 * 1024), maintype="application", subtype="zip",
                       filename="logs.zip")  # fmt: skip
    msg.add_attachment(b"\1" * (9 * 1024 * 1024), maintype="application", subtype="zip",
                       filename="dump.zip")  # fmt: skip
    raw = msg.as_bytes()
    assert len(raw) > 24 * 1024 * 1024
    settings.MAX_UPLOAD_BYTES = 8 * 1024 * 1024  # the files are over the per-file limit
    deliver(imap_client, raw)
    assert poll(box(queue, dovecot)).fetched == 1
    inbound = InboundMail.objects.get()
    assert inbound.size == len(raw.replace(b"\r\n", b"\n")) or inbound.size >= len(raw) - 1024
    message = inbound.message
    assert "Too large to attach" in message.body_text and "logs.zip" in message.body_text
    assert b"logs.zip" in inbound.read_raw()
