"""Mail-borne messages in the desk and the portal: folded quoted history, inline images,
delivery status of replies, and bounces noted on the ticket."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from relaydesk.mail import display
from relaydesk.mail.ingest import ingest
from relaydesk.mail.models import InboundMail, OutboundMail
from relaydesk.tickets import services
from relaydesk.tickets.models import Attachment, Message
from tests.mail.conftest import CORPUS

QUOTED_REPLY = (
    "Thanks, the printer works again.\n\n"
    "On Tue, 4 Jun 2024 at 10:00, IT Support <support@desk.test> wrote:\n"
    "> Please restart the printer.\n"
    "> SECRET-OLD-LINE\n"
)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def desk_url(ticket) -> str:
    return f"/desk/tickets/{ticket.number}/"


def portal_url(ticket) -> str:
    return reverse("portal:ticket", args=[ticket.number])


@pytest.fixture
def mailed_ticket(mailbox, make_mail, customer):
    """A ticket opened by mail, then a reply by mail quoting our answer."""
    ticket = ingest(make_mail(), mailbox=mailbox).ticket
    reply = ingest(
        make_mail(subject=f"Re: [{ticket.reference}] Printer on fire", body=QUOTED_REPLY),
        mailbox=mailbox,
    )
    assert reply.ticket == ticket and reply.inbound.quote_offset
    return ticket


@pytest.fixture
def cid_ticket(mailbox, customer):
    result = ingest((CORPUS / "nested-inline-cid.eml").read_bytes(), mailbox=mailbox)
    assert result.inbound.inline_images
    return result.ticket


# --- folded quotes ---------------------------------------------------------------------------


@pytest.mark.parametrize("who, url", [("agent", desk_url), ("customer", portal_url)])
def test_quoted_history_is_folded_after_the_new_part(request, client_for, mailed_ticket, who, url):
    body = page(client_for(request.getfixturevalue(who)), url(mailed_ticket))
    new = body.index("Thanks, the printer works again.")
    details = body.index("<details")
    assert new < details
    folded = body[details : body.index("</details>", details)]
    assert "<summary>Show quoted text</summary>" in folded
    assert "SECRET-OLD-LINE" in folded and "wrote:" in folded
    assert body.count("SECRET-OLD-LINE") == 1
    assert "Thanks, the printer works again." not in folded


def test_message_without_quote_is_not_folded(client_for, agent, mailbox, make_mail, customer):
    ticket = ingest(make_mail(body="Just one line."), mailbox=mailbox).ticket
    body = page(client_for(agent), desk_url(ticket))
    assert "Just one line." in body and "Show quoted text" not in body


def test_split_html_keeps_both_parts_well_formed():
    html = (
        '<div dir="ltr"><p>New <b>answer</b> here</p>'
        "<p>On Mon, Ann wrote:</p><blockquote><p>old &amp; stale</p></blockquote></div>"
    )
    text = "New answer here\n\nOn Mon, Ann wrote:\n\nold & stale"
    visible = display._visible_chars(text, text.index("On Mon"))
    new, quoted = display.split_html(html, visible)
    assert new == '<div dir="ltr"><p>New <b>answer</b> here</p></div>'
    assert quoted == (
        '<div dir="ltr"><p>On Mon, Ann wrote:</p><blockquote><p>old &amp; stale</p>'
        "</blockquote></div>"
    )
    # Cut inside a text node, with open elements closed and reopened.
    new, quoted = display.split_html("<p>abc<i>def</i></p>", 4)
    assert (new, quoted) == ("<p>abc<i>d</i></p>", "<p><i>ef</i></p>")
    assert display.split_html("<p>abc</p>", None) == ("<p>abc</p>", "")


# --- inline images ---------------------------------------------------------------------------


def test_cid_image_points_at_the_attachment_in_desk_and_portal(client_for, agent, customer,
                                                               cid_ticket):  # fmt: skip
    shot = Attachment.objects.get(ticket=cid_ticket, filename__startswith="shot")
    desk = page(client_for(agent), desk_url(cid_ticket))
    assert f'src="{reverse("desk:attachment", args=[shot.pk])}"' in desk
    portal = page(client_for(customer), portal_url(cid_ticket))
    assert f'src="{reverse("portal:attachment", args=[shot.pk])}"' in portal
    assert "cid:shot1@acme.test" not in desk + portal
    # The image the page points at is one the customer may download.
    assert client_for(customer).get(reverse("portal:attachment", args=[shot.pk])).status_code == 200


def test_cid_mapped_to_another_tickets_attachment_is_never_shown(
    client_for, agent, customer, other_customer, cid_ticket, make_ticket
):
    other = make_ticket(requester=other_customer, subject="Globex secret")
    theirs = services.add_attachments(other, actor=other_customer, files=[
        SimpleUploadedFile("secret.png", b"\x89PNG0000", content_type="image/png")])[0]  # fmt: skip
    # A forged map (e.g. a bug or a hand-edited row) sends the cid to another ticket's file.
    InboundMail.objects.filter(ticket=cid_ticket).update(
        inline_images={"shot1@acme.test": theirs.pk}
    )
    for client, name in ((client_for(customer), "portal:attachment"),
                         (client_for(agent), "desk:attachment")):  # fmt: skip
        url = portal_url(cid_ticket) if name == "portal:attachment" else desk_url(cid_ticket)
        body = page(client, url)
        assert reverse(name, args=[theirs.pk]) not in body
        assert 'src="cid:shot1@acme.test"' in body  # left as it came: loads nothing


def test_rendered_mail_html_stays_sanitized(client_for, agent, mailbox, make_mail, customer):
    html = (
        '<p onclick="steal()">Hello<script>alert(1)</script></p>'
        '<img src="cid:x@y" onerror="steal()"><p>On Mon, Ann wrote:</p><p>old</p>'
    )
    ticket = ingest(make_mail(body="Hello\n\nOn Mon, Ann wrote:\nold", html=html),
                    mailbox=mailbox).ticket  # fmt: skip
    body = page(client_for(agent), desk_url(ticket))
    assert "Hello" in body and "<script>alert" not in body
    assert "onclick" not in body and "onerror" not in body


# --- delivery status -------------------------------------------------------------------------


@pytest.fixture
def reply_mail(ticket, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # queued and sent (locmem)
        message = services.post_message(ticket, actor=agent, body="Try turning it off.",
                                        channel="desk")  # fmt: skip
    return OutboundMail.objects.get(message=message)


def test_sent_reply_shows_emailed_to(client_for, agent, ticket, reply_mail):
    reply_mail.status = OutboundMail.Status.SENT
    reply_mail.save()
    body = page(client_for(agent), desk_url(ticket))
    assert "Emailed to customer@acme.test" in body


def test_failed_delivery_shows_reason_and_retry_time(client_for, agent, ticket, reply_mail):
    retry_at = timezone.now() + timedelta(minutes=15)
    OutboundMail.objects.filter(pk=reply_mail.pk).update(
        status=OutboundMail.Status.PENDING, attempts=2,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
        next_attempt_at=retry_at,
    )  # fmt: skip
    body = page(client_for(agent), desk_url(ticket))
    line = body[body.index('class="delivery') : body.index("</p>", body.index('class="delivery'))]
    assert "delivery-error" in line and "var(--danger)" in line
    assert "Delivery failed: SMTPServerDisconnected: Connection unexpectedly closed" in line
    assert "(retrying at" in line
    # Customers never see how our mail fared.
    assert "Delivery failed" not in page(client_for(ticket.requester), portal_url(ticket))


def test_bounced_and_given_up_replies(client_for, agent, ticket, reply_mail):
    OutboundMail.objects.filter(pk=reply_mail.pk).update(
        status=OutboundMail.Status.BOUNCED, last_error="550 5.1.1 User unknown"
    )
    body = page(client_for(agent), desk_url(ticket))
    assert "Bounced: mail to customer@acme.test was returned (550 5.1.1 User unknown)" in body
    OutboundMail.objects.filter(pk=reply_mail.pk).update(
        status=OutboundMail.Status.FAILED, attempts=8, last_error="Connection refused"
    )
    body = page(client_for(agent), desk_url(ticket))
    assert "Delivery failed: Connection refused (gave up after 8 attempts)" in body


# --- bounces ---------------------------------------------------------------------------------


def test_bounce_adds_an_internal_note_agents_see_and_customers_do_not(
    client_for, agent, customer, ticket, reply_mail, mailbox
):
    bounce = (
        "From: MAILER-DAEMON@mx.acme.test\r\nTo: support@desk.test\r\n"
        "Subject: Undelivered Mail\r\nMessage-ID: <b-9@mx.acme.test>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="x"\r\n\r\n'
        "--x\r\nContent-Type: text/plain\r\n\r\nBOUNCE-REPORT: user unknown.\r\n"
        "--x\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {reply_mail.mail_id}\r\nSubject: {reply_mail.subject}\r\n--x--\r\n"
    ).encode()
    ingest(bounce, mailbox=mailbox)
    ingest(bounce, mailbox=mailbox)  # delivered twice: noted once
    note = Message.objects.get(ticket=ticket, is_internal=True)
    assert note.author is None and "BOUNCE-REPORT" in note.body_text
    assert "customer@acme.test" in note.body_text
    desk = page(client_for(agent), desk_url(ticket))
    assert "BOUNCE-REPORT" in desk and "Bounced: mail to customer@acme.test" in desk
    assert "BOUNCE-REPORT" not in page(client_for(customer), portal_url(ticket))


# --- bounded queries -------------------------------------------------------------------------


def test_mail_rows_are_read_in_at_most_two_queries(
    cid_ticket, mailed_ticket, agent, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.post_message(mailed_ticket, actor=agent, body="Fine.", channel="desk")
    by_mail = list(Message.objects.filter(channel="email").values_list("id", flat=True))
    with django_assert_num_queries(2):
        inbound, outbound = display.mail_rows(by_mail, [reply.id])
    assert set(inbound) == set(by_mail) and set(outbound) == {reply.id}
    assert outbound[reply.id].recipients == "customer@acme.test"
    assert any(row.inline_images for row in inbound.values())
    assert any(row.quote_offset for row in inbound.values())
    with django_assert_num_queries(0):
        assert display.mail_rows([], []) == ({}, {})


@pytest.mark.parametrize("path", ["desk", "portal"])
def test_query_count_does_not_grow_with_mail(
    client_for, agent, customer, mailbox, make_mail, path, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ticket = ingest(make_mail(), mailbox=mailbox).ticket
    client = client_for(agent if path == "desk" else customer)
    url = desk_url(ticket) if path == "desk" else portal_url(ticket)
    page(client, url)
    with CaptureQueriesContext(connection) as few:
        page(client, url)
    for i in range(8):
        subject = f"Re: [{ticket.reference}] x"
        ingest(make_mail(subject=subject, body=f"Reply {i}\n\n{QUOTED_REPLY}"), mailbox=mailbox)
        services.post_message(ticket, actor=agent, body=f"Answer {i}", channel="desk")
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = page(client, url)
    assert body.count("Show quoted text") == 8
