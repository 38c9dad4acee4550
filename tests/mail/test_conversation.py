"""A whole conversation by mail: customer writes, gets a receipt, agent answers, customer
replies; every mail goes through a real SMTP server and is threaded by its headers."""

from datetime import timedelta
from email.utils import make_msgid

from django.core.files.base import ContentFile
from django.utils import timezone

from relaydesk.mail import outbound
from relaydesk.mail.ingest import ingest
from relaydesk.mail.models import InboundMail, MailTemplate, OutboundMail
from relaydesk.tickets import services
from relaydesk.tickets.models import Ticket, TicketShare
from tests.mail.conftest import SUPPORT, free_port


def ours(mailoutbox):
    """The email channel's mail (other apps send agent notifications too)."""
    return [m for m in mailoutbox if "X-Relaydesk-Loop" in m.extra_headers]


def test_conversation(
    mailbox,
    make_mail,
    customer,
    agent,
    org_colleague,
    smtp_outbox,
    django_capture_on_commit_callbacks,
):
    first_id = make_msgid(domain="acme.test")
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(
            make_mail(
                message_id=first_id,
                to=f"{SUPPORT}, colleague@acme.test",
                headers={"Cc": "boss@acme.test"},
            ),
            mailbox=mailbox,
        )
    ticket = result.ticket
    ref = f"[{ticket.reference}]"
    # CC'd and co-addressed people of the organization became collaborators.
    shared = set(TicketShare.objects.filter(ticket=ticket).values_list("user__email", flat=True))
    assert shared == {"colleague@acme.test", "boss@acme.test"}

    # The receipt: to the requester, tagged, automatic, from the queue's address.
    assert len(smtp_outbox) == 1
    rcpts, receipt = smtp_outbox[0]
    assert rcpts == ["customer@acme.test"]
    assert receipt["Subject"].startswith(ref)
    assert SUPPORT in receipt["From"]
    assert receipt["Auto-Submitted"] == "auto-replied"
    assert receipt["In-Reply-To"] == first_id
    assert OutboundMail.objects.get(kind="receipt").status == OutboundMail.Status.SENT

    # The agent answers in the desk, with a file: a reply mail threaded under the receipt.
    upload = ContentFile(b"step 1, step 2", name="steps.txt")
    upload.content_type = "text/plain"
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.post_message(
            ticket,
            actor=agent,
            body="Please <restart> it.",
            channel=Ticket.Channel.DESK,
            attachments=[upload],
        )
    assert len(smtp_outbox) == 2
    rcpts, mail = smtp_outbox[1]
    assert sorted(rcpts) == ["boss@acme.test", "colleague@acme.test", "customer@acme.test"]
    assert mail["Subject"] == f"{ref} Re: Printer on fire"
    assert mail["In-Reply-To"] == receipt["Message-ID"]
    assert mail["References"].split() == [first_id, receipt["Message-ID"]]
    assert "Auto-Submitted" not in mail
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Please <restart> it." in text
    assert "Please &lt;restart&gt; it." in html
    assert [p.get_filename() for p in mail.iter_attachments()] == ["steps.txt"]
    assert OutboundMail.objects.get(kind="reply").message == reply

    # No internal note ever leaves by mail.
    with django_capture_on_commit_callbacks(execute=True):
        services.post_message(
            ticket, actor=agent, body="internal", internal=True, channel=Ticket.Channel.DESK
        )
    assert len(smtp_outbox) == 2

    # The customer's client answers with In-Reply-To only (the subject lost its tag).
    answer = make_mail(
        subject="Re: Printer on fire",
        body="Restarted, works.\n\n> Please",
        headers={"In-Reply-To": mail["Message-ID"]},
    )
    with django_capture_on_commit_callbacks(execute=True):
        again = ingest(answer, mailbox=mailbox)
    assert again.ticket == ticket and again.as_json()["created"] is False
    assert ticket.messages.filter(body_text__contains="Restarted, works.").exists()
    assert again.inbound.quote_offset is not None

    # A mail with only the tag in the subject (new Message-ID, no references) threads too.
    tagged = make_mail(subject=f"Something else {ref}", body="One more thing.")
    assert ingest(tagged, mailbox=mailbox).ticket == ticket
    assert Ticket.objects.count() == 1


def test_stranger_quoting_a_ticket_number_gets_own_ticket(mailbox, make_mail, ticket):
    result = ingest(
        make_mail(sender="mallory@evil.test", subject=f"[{ticket.reference}] hi"), mailbox=mailbox
    )
    assert result.ticket != ticket
    assert not ticket.messages.filter(body_text__contains="on fire").exists()


def test_smtp_outage_delays_mail_and_loses_none(
    mailbox, make_mail, customer, settings, smtp_outbox, django_capture_on_commit_callbacks
):
    good_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there: the server is "down"
    with django_capture_on_commit_callbacks(execute=True):
        ingest(make_mail(), mailbox=mailbox)
    mail = OutboundMail.objects.get()
    assert mail.status == OutboundMail.Status.PENDING and mail.attempts == 1
    assert mail.last_error and mail.next_attempt_at > timezone.now()
    assert outbound.retry_due() == 0  # not due yet
    assert mail.next_attempt_at <= timezone.now() + timedelta(minutes=1)  # first backoff
    settings.EMAIL_PORT = good_port  # the server is back; the scheduler's retry sends it
    with django_capture_on_commit_callbacks(execute=True):
        assert outbound.retry_due(now=timezone.now() + timedelta(minutes=2)) == 1
    mail.refresh_from_db()
    assert mail.status == OutboundMail.Status.SENT and mail.attempts == 2
    assert len(smtp_outbox) == 1


def test_failure_after_max_attempts_is_recorded(
    mailbox, make_mail, customer, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    with django_capture_on_commit_callbacks(execute=True):
        ingest(make_mail(), mailbox=mailbox)
    mail = OutboundMail.objects.get()
    for _attempt in range(outbound.MAX_ATTEMPTS - 1):
        OutboundMail.objects.filter(pk=mail.pk).update(next_attempt_at=timezone.now())
        outbound.send(mail.pk)
    mail.refresh_from_db()
    assert mail.status == OutboundMail.Status.FAILED
    assert mail.attempts == outbound.MAX_ATTEMPTS


def test_admin_template_overrides_file(
    mailbox, make_mail, customer, mailoutbox, django_capture_on_commit_callbacks
):
    MailTemplate.objects.create(
        key="receipt",
        subject="Got it: {{ ticket.subject }}",
        text="Number {{ reference }} & more",
        html="",
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(make_mail(subject="Fax & scanner"), mailbox=mailbox)
    (mail,) = ours(mailoutbox)
    assert mail.subject == f"[{result.ticket.reference}] Got it: Fax & scanner"
    assert mail.body == f"Number {result.ticket.reference} & more"
    assert mail.alternatives == []


def test_bounce_marks_our_mail_and_finds_the_ticket(
    mailbox, make_mail, customer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ingest(make_mail(), mailbox=mailbox).ticket
    sent = OutboundMail.objects.get()
    bounce = (
        "From: MAILER-DAEMON@mx.acme.test\r\nTo: support@desk.test\r\n"
        "Subject: Undelivered Mail\r\nMessage-ID: <b-2@mx.acme.test>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="x"\r\n\r\n'
        "--x\r\nContent-Type: text/plain\r\n\r\nUser unknown.\r\n"
        "--x\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {sent.mail_id}\r\nSubject: {sent.subject}\r\n--x--\r\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(bounce, mailbox=mailbox)
    assert result.inbound.status == InboundMail.Status.BOUNCE
    assert result.inbound.ticket == ticket
    sent.refresh_from_db()
    assert sent.status == OutboundMail.Status.BOUNCED and "User unknown" in sent.last_error
    assert len(ours(mailoutbox)) == 1  # the bounce was not answered


def test_mail_from_our_own_address_is_ignored(mailbox, make_mail):
    result = ingest(make_mail(sender=SUPPORT), mailbox=mailbox)
    assert result.inbound.status == InboundMail.Status.IGNORED
    assert Ticket.objects.count() == 0
