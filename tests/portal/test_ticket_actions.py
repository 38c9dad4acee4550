"""Reply, close / reopen and add files: the POST actions on a request."""

import pytest

from relaydesk.tickets import services
from relaydesk.tickets.models import Attachment, Event, Message, Ticket

S = Ticket.Status


def reply(client, ticket, body="Thanks, here is more detail.", **extra):
    return client.post(f"/requests/{ticket.number}/reply/", {"body": body, **extra})


def test_reply_is_posted_publicly_on_the_web_channel(client_for, customer, ticket):
    response = reply(client_for(customer), ticket)
    message = ticket.messages.order_by("id").last()
    assert response.status_code == 302
    assert response["Location"] == f"/requests/{ticket.number}/#message-{message.id}"
    assert message.body_text == "Thanks, here is more detail."
    assert message.channel == Ticket.Channel.WEB
    assert not message.is_internal
    assert message.author == customer


def test_reply_moves_waiting_to_in_progress(client_for, customer, ticket, set_status):
    set_status(ticket, S.WAITING)
    reply(client_for(customer), ticket)
    ticket.refresh_from_db()
    assert ticket.status == S.IN_PROGRESS


def test_reply_moves_resolved_to_feedback(client_for, customer, ticket, set_status):
    set_status(ticket, S.RESOLVED)
    reply(client_for(customer), ticket)
    ticket.refresh_from_db()
    assert ticket.status == S.FEEDBACK


def test_reply_within_the_reopen_window_reopens(client_for, customer, ticket, set_status):
    set_status(ticket, S.CLOSED)
    reply(client_for(customer), ticket)
    ticket.refresh_from_db()
    assert ticket.status == S.FEEDBACK
    assert Ticket.objects.count() == 1


def test_reply_to_a_long_closed_ticket_opens_a_linked_follow_up(
    client_for, customer, ticket, close_long_ago
):
    close_long_ago(ticket)
    client = client_for(customer)
    page = client.get(f"/requests/{ticket.number}/").content.decode()
    assert "A reply opens a new follow-up request" in page
    assert "Reopen request" not in page
    response = reply(client, ticket, body="It broke again.")
    follow_up = Ticket.objects.exclude(pk=ticket.pk).get()
    assert follow_up.follow_up_of == ticket
    assert follow_up.requester == customer
    assert follow_up.messages.get().body_text == "It broke again."
    assert response["Location"] == f"/requests/{follow_up.number}/"
    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED
    page = client.get(response["Location"]).content.decode()
    assert f"your reply opened a follow-up request, {follow_up.reference}" in page


def test_empty_reply_is_an_error(client_for, customer, ticket):
    response = reply(client_for(customer), ticket, body="   ")
    assert response.status_code == 200
    assert "Write a message or attach a file." in response.content.decode()
    assert ticket.messages.count() == 1


def test_reply_with_a_file(client_for, customer, ticket, upload):
    client = client_for(customer)
    response = reply(client, ticket, body="", files=[upload("log.txt")])
    assert response.status_code == 302
    message = ticket.messages.order_by("id").last()
    assert [a.filename for a in message.attachments.all()] == ["log.txt"]


def test_oversized_reply_file_is_refused_and_the_text_kept(
    client_for, customer, ticket, upload, settings
):
    settings.MAX_UPLOAD_BYTES = 1024
    response = reply(client_for(customer), ticket, body="See attached", files=[upload(size=4096)])
    assert response.status_code == 200
    body = response.content.decode()
    assert "at most" in body
    assert 'id="reply_files_error"' in body
    assert "See attached</textarea>" in body
    assert ticket.messages.count() == 1
    assert not Attachment.objects.filter(ticket=ticket).exclude(message__isnull=False).exists()


def test_close_and_reopen(client_for, customer, ticket, set_status):
    client = client_for(customer)
    page = client.get(f"/requests/{ticket.number}/").content.decode()
    assert "Close request" in page and "Reopen request" not in page
    response = client.post(f"/requests/{ticket.number}/status/", {"status": "closed"})
    assert response["Location"] == f"/requests/{ticket.number}/"
    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED
    page = client.get(f"/requests/{ticket.number}/").content.decode()
    assert f"Request {ticket.reference} closed." in page
    assert "Reopen request" in page
    client.post(f"/requests/{ticket.number}/status/", {"status": "feedback"})
    ticket.refresh_from_db()
    assert ticket.status == S.FEEDBACK


def test_a_move_the_customer_may_not_make_is_refused_with_a_message(client_for, customer, ticket):
    client = client_for(customer)
    client.post(f"/requests/{ticket.number}/status/", {"status": "resolved"})
    ticket.refresh_from_db()
    assert ticket.status == S.NEW
    page = client.get(f"/requests/{ticket.number}/").content.decode()
    assert "cannot move from New to Resolved" in page


def test_reopen_beyond_the_window_is_refused(client_for, customer, ticket, close_long_ago):
    close_long_ago(ticket)
    client_for(customer).post(f"/requests/{ticket.number}/status/", {"status": "feedback"})
    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED


def test_org_manager_may_close_a_colleagues_request(client_for, org_manager, org_colleague,
                                                   make_ticket):  # fmt: skip
    ticket = make_ticket(org_colleague)
    client_for(org_manager).post(f"/requests/{ticket.number}/status/", {"status": "closed"})
    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED


def test_colleague_may_reply_but_not_close_when_the_org_shares(client_for, org_colleague, org,
                                                              ticket):  # fmt: skip
    org.members_see_all_tickets = True
    org.save()
    client = client_for(org_colleague)
    assert reply(client, ticket).status_code == 302
    response = client.post(f"/requests/{ticket.number}/status/", {"status": "closed"})
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == S.NEW


def test_add_files(client_for, customer, ticket, upload):
    response = client_for(customer).post(
        f"/requests/{ticket.number}/files/", {"files": [upload("a.png"), upload("b.png")]}
    )
    assert response.status_code == 302
    loose = Attachment.objects.filter(ticket=ticket, message__isnull=True)
    assert sorted(a.filename for a in loose) == ["a.png", "b.png"]
    assert Event.objects.filter(ticket=ticket, kind=Event.Kind.ATTACHMENT).count() == 2


def test_add_files_needs_a_file_and_respects_the_limit(
    client_for, customer, ticket, upload, settings
):
    client = client_for(customer)
    response = client.post(f"/requests/{ticket.number}/files/", {})
    assert response.status_code == 200
    assert 'id="add_files_error"' in response.content.decode()
    settings.MAX_UPLOAD_BYTES = 1024
    response = client.post(f"/requests/{ticket.number}/files/", {"files": [upload(size=2048)]})
    assert "at most" in response.content.decode()
    assert not Attachment.objects.filter(ticket=ticket, message__isnull=True).exists()


@pytest.mark.parametrize(
    ("path", "data"),
    [("reply/", {"body": "hi"}), ("status/", {"status": "closed"}), ("files/", {})],
)
def test_other_customer_gets_404_on_every_action(client_for, other_customer, org_colleague,
                                                 ticket, upload, path, data):  # fmt: skip
    if path == "files/":
        data = {"files": [upload()]}
    for user in (other_customer, org_colleague):
        response = client_for(user).post(f"/requests/{ticket.number}/{path}", data)
        assert response.status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == S.NEW
    assert Message.objects.filter(ticket=ticket).count() == 1
    assert not Attachment.objects.filter(ticket=ticket).exists()


def test_actions_are_post_only(client_for, customer, ticket):
    client = client_for(customer)
    for path in ("reply/", "status/", "files/"):
        assert client.get(f"/requests/{ticket.number}/{path}").status_code == 405


def test_agent_posting_to_the_portal_changes_nothing(client_for, agent, ticket):
    """Agents are redirected to the desk even on POST; they act in the desk."""
    response = reply(client_for(agent), ticket)
    assert response["Location"] == "/desk/"
    assert ticket.messages.count() == 1


def test_agent_reply_is_visible_to_the_customer(client_for, customer, agent, ticket):
    services.post_message(ticket, actor=agent, body="Try turning it off and on.", channel="desk")
    page = client_for(customer).get(f"/requests/{ticket.number}/").content.decode()
    assert "Try turning it off and on." in page
    assert "Andy Agent" in page
