"""The conversation, the audit trail and attachments of a ticket."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from relaydesk.tickets import services
from relaydesk.tickets.models import Attachment, Message, Ticket
from tests.api.conftest import bearer_client


def _note_and_reply(ticket, agent):
    services.post_message(ticket, actor=agent, body="Secret: user error", channel="desk",
                          internal=True)  # fmt: skip
    services.post_message(ticket, actor=agent, body="We are on it", channel="desk")


def test_customer_never_sees_internal_notes(api_for, customer, agent, ticket):
    _note_and_reply(ticket, agent)
    response = api_for(customer).get(f"/tickets/{ticket.number}/messages")
    assert response.status_code == 200
    bodies = [m["body_text"] for m in response.json()]
    assert bodies == ["It jams.", "We are on it"]
    assert not any(m["internal"] for m in response.json())


def test_agent_sees_the_whole_conversation(api_for, agent, ticket):
    _note_and_reply(ticket, agent)
    messages = api_for(agent).get(f"/tickets/{ticket.number}/messages").json()
    assert [m["internal"] for m in messages] == [False, True, False]
    assert messages[1]["author"] == {"email": agent.email, "name": "Andy Agent"}
    assert messages[0]["ticket"] == ticket.number


def test_customer_replies(api_for, customer, agent, ticket):
    services.change_status(ticket, actor=agent, status="waiting")
    response = api_for(customer).post(f"/tickets/{ticket.number}/messages", {"body": "Still bad"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["body_text"] == "Still bad"
    assert body["internal"] is False
    assert body["channel"] == "api"
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"  # a customer reply to a waiting ticket


def test_customer_cannot_post_internal_notes(customer, ticket):
    response = bearer_client(customer).post(
        f"/tickets/{ticket.number}/messages", {"body": "psst", "internal": True}
    )
    assert response.status_code == 403
    assert ticket.messages.count() == 1


def test_agent_posts_a_note_and_a_reply_with_status(agent, ticket):
    api = bearer_client(agent)
    response = api.post(f"/tickets/{ticket.number}/messages", {"body": "note", "internal": True})
    assert response.status_code == 201
    assert response.json()["internal"] is True
    response = api.post(
        f"/tickets/{ticket.number}/messages",
        {"body_html": "<p>Try <b>this</b><img src=x onerror=alert(1)></p>", "status": "waiting"},
    )
    assert response.status_code == 201
    assert "onerror" not in response.json()["body_html"]
    ticket.refresh_from_db()
    assert ticket.status == "waiting"
    assert ticket.first_response_at is not None


def test_empty_message_and_unknown_fields_are_422(customer, ticket):
    api = bearer_client(customer)
    response = api.post(f"/tickets/{ticket.number}/messages", {"body": "  "})
    assert response.status_code == 422
    assert "body" in response.json()["errors"]
    response = api.post(f"/tickets/{ticket.number}/messages", {"body": "x", "author": "me"})
    assert response.json()["errors"] == {"author": ["Unknown field."]}


@override_settings(REOPEN_WINDOW_DAYS=7)
def test_reply_to_a_long_closed_ticket_opens_a_follow_up(customer, agent, ticket):
    services.change_status(ticket, actor=agent, status="closed")
    Ticket.objects.filter(pk=ticket.pk).update(closed_at=timezone.now() - timedelta(days=30))
    response = bearer_client(customer).post(
        f"/tickets/{ticket.number}/messages", {"body": "It is back"}
    )
    assert response.status_code == 201
    follow_up = Ticket.objects.get(follow_up_of=ticket)
    assert response.json()["ticket"] == follow_up.number


def test_events_for_agents_only(api_for, agent, customer, ticket):
    services.assign(ticket, actor=agent, assignee=agent)
    response = api_for(agent).get(f"/tickets/{ticket.number}/events")
    assert response.status_code == 200
    kinds = [e["kind"] for e in response.json()]
    assert kinds[0] == "created"
    assert {"assigned", "status"} <= set(kinds)
    assigned = next(e for e in response.json() if e["kind"] == "assigned")
    assert assigned["actor"]["email"] == agent.email
    assert assigned["new_value"] == "Andy Agent"

    response = api_for(customer).get(f"/tickets/{ticket.number}/events")
    assert response.status_code == 403


def test_upload_and_download_attachments(api_for, customer, agent, ticket):
    api = api_for(customer)
    upload = SimpleUploadedFile("screen.png", b"\x89PNG fake", content_type="image/png")
    response = api.upload(f"/tickets/{ticket.number}/attachments", [upload])
    assert response.status_code == 201, response.content
    (item,) = response.json()
    assert (item["filename"], item["size"]) == ("screen.png", 9)

    download = api.get(item["url"].removeprefix("/api/v1"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"\x89PNG fake"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


@override_settings(MAX_UPLOAD_BYTES=4)
def test_too_large_upload_is_422(customer, ticket):
    upload = SimpleUploadedFile("big.bin", b"0123456789")
    response = bearer_client(customer).upload(f"/tickets/{ticket.number}/attachments", [upload])
    assert response.status_code == 422
    assert "MB" in response.json()["detail"]
    assert not Attachment.objects.exists()


def test_internal_note_attachments_are_hidden_from_customers(customer, agent, ticket):
    note = services.post_message(
        ticket, actor=agent, body="log", channel="desk", internal=True,
        attachments=[SimpleUploadedFile("log.txt", b"secret")],
    )  # fmt: skip
    attachment = note.attachments.get()
    assert bearer_client(customer).get(f"/attachments/{attachment.id}").status_code == 404
    assert bearer_client(agent).get(f"/attachments/{attachment.id}").status_code == 200
    agent_view = bearer_client(agent).get(f"/tickets/{ticket.number}/messages").json()
    assert agent_view[1]["attachments"][0]["filename"] == "log.txt"
    assert Message.objects.count() == 2


def test_messages_query_count_is_bounded(agent, ticket, django_assert_max_num_queries):
    for i in range(10):
        services.post_message(ticket, actor=agent, body=f"reply {i}", channel="desk",
                              attachments=[SimpleUploadedFile(f"f{i}.txt", b"x")])  # fmt: skip
    api = bearer_client(agent)
    api.get("/me")
    with django_assert_max_num_queries(7):
        assert len(api.get(f"/tickets/{ticket.number}/messages").json()) == 11
