"""Attachment downloads: only for those who may see the ticket, never internal-note files."""

import pytest

from relaydesk.tickets import services
from relaydesk.tickets.models import Ticket


@pytest.fixture
def public_file(ticket, customer, upload):
    (stored,) = services.add_attachments(
        ticket, actor=customer, files=[upload("report.html", content_type="text/html")]
    )
    return stored


@pytest.fixture
def internal_file(ticket, agent, upload):
    message = services.post_message(
        ticket,
        actor=agent,
        body="note",
        channel=Ticket.Channel.DESK,
        internal=True,
        attachments=[upload("secret.txt")],
    )
    return message.attachments.get()


def test_requester_downloads_with_safe_headers(client_for, customer, public_file):
    response = client_for(customer).get(f"/attachments/{public_file.id}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="report.html"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_other_customer_and_unshared_colleague_get_404(client_for, other_customer, org_colleague,
                                                       public_file):  # fmt: skip
    for user in (other_customer, org_colleague):
        assert client_for(user).get(f"/attachments/{public_file.id}/").status_code == 404


def test_colleague_may_download_when_the_organization_shares(client_for, org_colleague, org,
                                                            public_file):  # fmt: skip
    org.members_see_all_tickets = True
    org.save()
    assert client_for(org_colleague).get(f"/attachments/{public_file.id}/").status_code == 200


def test_internal_note_files_are_404_for_customers(client_for, customer, org_manager,
                                                   internal_file):  # fmt: skip
    for user in (customer, org_manager):
        assert client_for(user).get(f"/attachments/{internal_file.id}/").status_code == 404


def test_agent_of_the_queue_may_download_internal_files(client_for, agent, other_agent,
                                                        internal_file):  # fmt: skip
    assert client_for(agent).get(f"/attachments/{internal_file.id}/").status_code == 200
    assert client_for(other_agent).get(f"/attachments/{internal_file.id}/").status_code == 404


def test_anonymous_is_sent_to_sign_in(client, public_file):
    response = client.get(f"/attachments/{public_file.id}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_unknown_id_is_404(client_for, customer, db):
    assert client_for(customer).get("/attachments/987654/").status_code == 404
