"""A request's page, tried as every persona; what customers must never see."""

import pytest

from relaydesk.tickets import services
from relaydesk.tickets.models import Ticket


@pytest.fixture
def hardware_ticket(make_ticket, hardware, upload, agent):
    # Opened by an agent on the customer's behalf, so the internal field can be filled in.
    return make_ticket(
        actor=agent,
        subject="Broken dock",
        ticket_type=hardware,
        custom={"asset_tag": "A-42", "model": "X1", "cost_centre": "CC-SECRET"},
        attachments=[upload("dock.png")],
    )


def test_requester_sees_the_request(client_for, customer, hardware_ticket):
    response = client_for(customer).get(f"/requests/{hardware_ticket.number}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert hardware_ticket.reference in body
    assert "Broken dock" in body
    assert "New" in body and "Normal" in body and "Hardware" in body
    assert "A-42" in body and "Asset tag" in body
    assert "CC-SECRET" not in body and "Cost centre" not in body  # internal field
    assert "It jams." in body
    attachment = hardware_ticket.attachments.get()
    assert f'href="/attachments/{attachment.id}/"' in body
    assert "portal/ticket.html" in [t.name for t in response.templates]


def test_colleague_gets_404_unless_the_organization_allows(client_for, org_colleague, org,
                                                          ticket):  # fmt: skip
    url = f"/requests/{ticket.number}/"
    assert client_for(org_colleague).get(url).status_code == 404
    org.members_see_all_tickets = True
    org.save()
    response = client_for(org_colleague).get(url)
    assert response.status_code == 200
    # A colleague may read and reply, but closing is the requester's (or manager's) call.
    assert response.context["status_actions"] == []
    assert f"/requests/{ticket.number}/status/" not in response.content.decode()


def test_org_manager_sees_and_may_close(client_for, org_manager, ticket):
    response = client_for(org_manager).get(f"/requests/{ticket.number}/")
    assert response.status_code == 200
    assert [s for s, _label in response.context["status_actions"]] == ["closed"]


def test_other_customer_gets_404_by_number(client_for, other_customer, ticket):
    assert client_for(other_customer).get(f"/requests/{ticket.number}/").status_code == 404
    assert client_for(other_customer).get("/requests/999999/").status_code == 404


def test_internal_notes_and_their_files_are_never_shown(client_for, customer, agent, ticket,
                                                        upload):  # fmt: skip
    services.post_message(
        ticket,
        actor=agent,
        body="Internal: customer is on the watch list",
        channel=Ticket.Channel.DESK,
        internal=True,
        attachments=[upload("internal-report.pdf")],
    )
    services.post_message(ticket, actor=agent, body="We are on it.", channel="desk")
    body = client_for(customer).get(f"/requests/{ticket.number}/").content.decode()
    assert "We are on it." in body
    assert "watch list" not in body
    assert "internal-report.pdf" not in body


def test_times_are_shown_in_the_viewers_time_zone(client_for, customer, ticket):
    customer.time_zone = "Asia/Tokyo"
    customer.save()
    body = client_for(customer).get(f"/requests/{ticket.number}/").content.decode()
    from zoneinfo import ZoneInfo

    local = ticket.created_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert local.isoformat(timespec="seconds")[:19] in body  # <time datetime=...>
    assert "JST" in body


def test_status_changes_are_in_the_conversation(client_for, customer, ticket, set_status):
    set_status(ticket, Ticket.Status.WAITING)
    body = client_for(customer).get(f"/requests/{ticket.number}/").content.decode()
    assert "Status changed from New to Waiting for customer" in body


def test_follow_up_links_to_its_origin(client_for, customer, ticket, close_long_ago):
    close_long_ago(ticket)
    follow_up = services.post_message(
        ticket, actor=customer, body="It is back.", channel="web"
    ).ticket
    body = client_for(customer).get(f"/requests/{follow_up.number}/").content.decode()
    assert f'href="/requests/{ticket.number}/"' in body


@pytest.mark.parametrize("replies", [1, 12])
def test_query_count_does_not_grow_with_the_conversation(
    client_for, customer, agent, ticket, upload, replies, django_assert_max_num_queries
):
    for i in range(replies):
        services.post_message(
            ticket, actor=agent, body=f"Reply {i}", channel="desk", attachments=[upload()]
        )
        services.add_attachments(ticket, actor=customer, files=[upload(f"extra{i}.png")])
    client = client_for(customer)
    with django_assert_max_num_queries(10):
        response = client.get(f"/requests/{ticket.number}/")
    assert response.content.decode().count("Reply ") == replies


def test_agents_are_sent_to_the_desk_ticket(client_for, agent, ticket):
    response = client_for(agent).get(f"/requests/{ticket.number}/")
    assert response.status_code == 302
    assert response["Location"] == f"/desk/tickets/{ticket.number}/"
