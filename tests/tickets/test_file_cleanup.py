"""Files go with their rows: deleting a ticket (a retention script; the admin refuses, since
it would delete the audit trail), an attachment or a stored inbound mail (in the admin)
removes the stored files once the deletion commits; a deletion rolled back keeps them."""

import pytest
from django.db import transaction
from django.urls import reverse

from relaydesk.tickets import services
from relaydesk.tickets.models import Attachment, Ticket
from tests.tickets.uploads import stored_files, upload


def _ticket_with_files(customer, queue):
    return services.open_ticket(
        actor=customer, requester=customer, subject="Files", body="See attached",
        channel="web", queue=queue, attachments=[upload("a.png"), upload("b.txt", b"b")],
    )  # fmt: skip


def test_deleting_a_ticket_removes_its_files(
    media, customer, queue, django_capture_on_commit_callbacks
):
    ticket = _ticket_with_files(customer, queue)
    other = _ticket_with_files(customer, queue)
    assert len(stored_files(media)) == 4
    with django_capture_on_commit_callbacks(execute=True):
        Ticket.objects.filter(pk=ticket.pk).delete()  # attachments go by cascade
    left = {p.name for p in stored_files(media)}
    assert left == {a.file.name.rsplit("/", 1)[-1] for a in other.attachments.all()}


def test_deleting_a_stored_mail_in_the_admin_removes_the_raw_message(
    media, queue, admin_user, client_for, django_capture_on_commit_callbacks
):
    from relaydesk.mail.ingest import ingest
    from relaydesk.mail.models import InboundMail

    raw = (
        b"From: someone@example.test\r\nSubject: spam\r\n"
        b"Message-ID: <x1@example.test>\r\n\r\nhi\r\n"
    )
    kept = ingest(raw.replace(b"x1", b"x2")).inbound
    gone = ingest(raw).inbound
    assert len(stored_files(media)) == 2
    url = reverse("admin:mail_inboundmail_delete", args=[gone.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not InboundMail.objects.filter(pk=gone.pk).exists()
    assert [p.name for p in stored_files(media)] == [kept.raw.name.rsplit("/", 1)[-1]]


def test_a_rolled_back_deletion_keeps_the_files(
    media, customer, queue, django_capture_on_commit_callbacks
):
    ticket = _ticket_with_files(customer, queue)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            Attachment.objects.filter(ticket=ticket).first().delete()
            raise RuntimeError("changed my mind")
    assert len(stored_files(media)) == 2
    assert ticket.attachments.count() == 2
