"""Nobody reaches a ticket it may not see, by any endpoint: always 404, never a leak."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from relaydesk.tickets import services
from relaydesk.tickets.models import Event, Message, Ticket

CALLS = [
    ("get", "/tickets/{n}", None),
    ("patch", "/tickets/{n}", {"status": "closed"}),
    ("patch", "/tickets/{n}", {"priority": "urgent"}),
    ("post", "/tickets/{n}/escalate", {"reason": "Because"}),
    ("get", "/tickets/{n}/messages", None),
    ("post", "/tickets/{n}/messages", {"body": "Hello"}),
    ("get", "/tickets/{n}/events", None),
    ("upload", "/tickets/{n}/attachments", None),
]


def _call(api, method, path, body):
    if method == "upload":
        return api.upload(path, [SimpleUploadedFile("a.txt", b"a")])
    if method == "get":
        return api.get(path)
    return getattr(api, method)(path, body)


@pytest.fixture
def walled(ticket, agent):
    """The customer's ticket in `queue`, with an internal note and an attachment."""
    services.post_message(ticket, actor=agent, body="internal", channel="desk", internal=True,
                          attachments=[SimpleUploadedFile("note.txt", b"n")])  # fmt: skip
    return ticket


@pytest.mark.parametrize("persona", ["other_customer", "other_agent", "org_colleague"])
@pytest.mark.parametrize("method, path, body", CALLS)
def test_outsiders_get_404_everywhere(request, api_for, walled, persona, method, path, body):
    api = api_for(request.getfixturevalue(persona))
    before = (Message.objects.count(), Event.objects.count())
    for ref in (str(walled.number), walled.reference):
        response = _call(api, method, path.format(n=ref), body)
        assert response.status_code == 404, (persona, method, path, response.content)
        assert "detail" in response.json()
    walled.refresh_from_db()
    assert (walled.status, walled.priority, walled.tier) == ("new", Ticket.Priority.NORMAL, 1)
    assert (Message.objects.count(), Event.objects.count()) == before


@pytest.mark.parametrize("persona", ["other_customer", "other_agent", "org_colleague"])
def test_outsiders_cannot_download_attachments(request, api_for, walled, persona):
    attachment = walled.attachments.get()
    response = api_for(request.getfixturevalue(persona)).get(f"/attachments/{attachment.id}")
    assert response.status_code == 404


def test_outsiders_do_not_find_it_in_lists_or_search(
    api_for, walled, other_customer, other_agent, django_capture_on_commit_callbacks
):
    for user in (other_customer, other_agent):
        api = api_for(user)
        assert api.get("/tickets").json()["items"] == []
        assert api.get("/tickets", {"q": walled.reference}).json()["items"] == []


def test_shared_ticket_becomes_visible_to_the_other_agent(api_for, walled, agent, other_agent):
    services.share(walled, actor=agent, user=other_agent)
    assert api_for(other_agent).get(f"/tickets/{walled.number}").status_code == 200
