"""How a message is stored before processing, and what finding its sender and thread costs."""

import os

import pytest
from django.core.files.storage import FileSystemStorage, InMemoryStorage
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from relaydesk.mail import ingest as ingest_module
from relaydesk.mail.ingest import ingest, receive
from relaydesk.mail.models import InboundMail


@pytest.mark.django_db(transaction=True)
def test_raw_message_commits_on_its_own_and_once(mailbox, make_mail, monkeypatch, tmp_path):
    """Outside a caller's transaction (the listener, the poller, the CLI) the row commits by
    itself; the second delivery loses on the unique Message-ID and leaves no file behind."""
    storage = FileSystemStorage(location=tmp_path)
    monkeypatch.setattr(InboundMail._meta.get_field("raw"), "storage", storage)
    raw = make_mail(message_id="<once@acme.test>")
    assert transaction.get_autocommit()
    stored = receive(raw, mailbox=mailbox)
    assert not stored.duplicate and stored.inbound.status == InboundMail.Status.RECEIVED
    assert InboundMail.objects.get().read_raw() == raw
    again = ingest(raw, mailbox=mailbox)
    assert again.duplicate and again.inbound.pk == stored.inbound.pk
    assert InboundMail.objects.count() == 1
    files = [os.path.join(d, f) for d, _dirs, names in os.walk(tmp_path) for f in names]
    assert files == [storage.path(stored.inbound.raw.name)]


def test_raw_message_goes_where_the_storage_says(mailbox, make_mail, monkeypatch, tmp_path):
    field = InboundMail._meta.get_field("raw")
    # A local folder that does not exist yet (a new month): made on the way, then written to.
    local = FileSystemStorage(location=tmp_path / "uploads", file_permissions_mode=0o640)
    monkeypatch.setattr(field, "storage", local)
    first = ingest(make_mail(), mailbox=mailbox).inbound
    second = ingest(make_mail(), mailbox=mailbox).inbound
    for inbound in (first, second):
        assert inbound.raw.name.startswith("mail/raw/") and inbound.raw.name.endswith(".eml")
        assert b"Printer on fire" in InboundMail.objects.get(pk=inbound.pk).read_raw()
        assert os.stat(local.path(inbound.raw.name)).st_mode & 0o777 == 0o640
    # Any other storage takes the generic way.
    monkeypatch.setattr(field, "storage", InMemoryStorage())
    inbound = ingest(make_mail(), mailbox=mailbox).inbound
    assert inbound.status == InboundMail.Status.PROCESSED
    assert b"Printer on fire" in InboundMail.objects.get(pk=inbound.pk).read_raw()


def test_unknown_sender_is_looked_up_once(mailbox, make_mail):
    with CaptureQueriesContext(connection) as queries:
        result = ingest(make_mail(sender="Nina New <NINA@Acme.test>"), mailbox=mailbox)
    assert result.ticket.requester.email == "nina@acme.test"
    by_email = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and "accounts_user" in q["sql"] and "email" in q["sql"]
    ]
    assert len(by_email) == 1, by_email


@pytest.mark.sqlite  # SQLite without statistics chose the status index for this count
def test_rate_limit_counts_on_its_own_index(db):
    with CaptureQueriesContext(connection) as queries:
        ingest_module._over_rate_limit("storm@acme.test")
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + queries.captured_queries[-1]["sql"])
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "inmail_processed_sender" in plan


def test_rate_limit_counts_only_processed_mail_of_the_window(mailbox, make_mail, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.MAIL_RATE_LIMIT = 2
    first = ingest(make_mail(subject="One"), mailbox=mailbox).inbound
    ingest(make_mail(subject="Held", headers={"Precedence": "bulk"}), mailbox=mailbox)
    assert not ingest_module._over_rate_limit("customer@acme.test")  # one processed, one not
    second = ingest(make_mail(subject="Two"), mailbox=mailbox).inbound
    assert ingest_module._over_rate_limit("customer@acme.test")
    assert not ingest_module._over_rate_limit("someone-else@acme.test")
    old = timezone.now() - timedelta(minutes=settings.MAIL_RATE_WINDOW_MINUTES + 1)
    InboundMail.objects.filter(pk__in=[first.pk, second.pk]).update(received_at=old)
    assert not ingest_module._over_rate_limit("customer@acme.test")


def test_references_thread_to_the_newest_known_message(mailbox, make_mail, customer):
    older = ingest(make_mail(subject="Old", message_id="<a@acme.test>"), mailbox=mailbox)
    newer = ingest(make_mail(subject="New", message_id="<b@acme.test>"), mailbox=mailbox)
    assert older.ticket != newer.ticket
    # No tag, no In-Reply-To: the last known ID in References (the newest) decides.
    reply = make_mail(subject="Re: both", headers={"References": "<b@acme.test> <a@acme.test>"})
    assert ingest(reply, mailbox=mailbox).ticket == older.ticket
    reply = make_mail(subject="Re: both", headers={"References": "<a@acme.test> <unknown@x>"})
    assert ingest(reply, mailbox=mailbox).ticket == older.ticket
