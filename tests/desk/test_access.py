"""Every desk view tried as each persona: who gets the page, a 404, a 403 or the login page."""

import pytest
from django.test import Client

from relaydesk.tickets.models import Event

GET_TICKET_VIEWS = ["ticket", "attachment"]


def ticket_urls(ticket):
    n = ticket.number
    attachment = ticket.attachments.first()
    return {
        "ticket": f"/desk/tickets/{n}/",
        "attachment": f"/desk/attachments/{attachment.pk}/",
    }


def post_actions(ticket, colleague):
    n = ticket.number
    return {
        f"/desk/tickets/{n}/messages/": {"body": "Looking into it.", "channel": "desk"},
        f"/desk/tickets/{n}/status/": {"status": "waiting"},
        f"/desk/tickets/{n}/fields/": {
            "subject": "Renamed",
            "priority": "3",
            "ticket_type": "",
            "queue": str(ticket.queue_id),
            "tier": "1",
        },
        f"/desk/tickets/{n}/assign/": {"assignee": "me"},
        f"/desk/tickets/{n}/escalate/": {
            "tier": "2",
            "queue": str(ticket.queue_id),
            "reason": "Needs tier 2",
        },
        f"/desk/tickets/{n}/share/": {"email": colleague.email},
        f"/desk/tickets/{n}/unshare/": {"user": str(colleague.pk)},
    }


PLAIN_GETS = ["/desk/", "/desk/calls/new/", "/desk/people/?q=an"]


@pytest.mark.parametrize("url", PLAIN_GETS)
@pytest.mark.parametrize("persona", ["agent", "other_agent", "supervisor", "admin_user"])
def test_agents_get_the_desk_pages(request, client_for, url, persona):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(url).status_code == 200


@pytest.mark.parametrize("url", PLAIN_GETS)
def test_customers_are_refused(client_for, customer, url):
    assert client_for(customer).get(url).status_code == 403


@pytest.mark.parametrize("url", PLAIN_GETS)
def test_anonymous_goes_to_login(db, url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("view", GET_TICKET_VIEWS)
@pytest.mark.parametrize("persona", ["agent", "supervisor", "admin_user"])
def test_ticket_views_for_those_who_see_the_ticket(request, client_for, attached_ticket, view,
                                                   persona):  # fmt: skip
    user = request.getfixturevalue(persona)
    assert client_for(user).get(ticket_urls(attached_ticket)[view]).status_code == 200


@pytest.mark.parametrize("view", GET_TICKET_VIEWS)
def test_agent_of_another_queue_gets_404(client_for, other_agent, attached_ticket, view):
    assert client_for(other_agent).get(ticket_urls(attached_ticket)[view]).status_code == 404


@pytest.mark.parametrize("view", GET_TICKET_VIEWS)
def test_customer_gets_403_even_for_own_ticket(client_for, customer, attached_ticket, view):
    assert client_for(customer).get(ticket_urls(attached_ticket)[view]).status_code == 403


@pytest.mark.parametrize("view", GET_TICKET_VIEWS)
def test_anonymous_ticket_views_go_to_login(attached_ticket, view):
    url = ticket_urls(attached_ticket)[view]
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


def test_unknown_ticket_number_is_404(client_for, agent):
    assert client_for(agent).get("/desk/tickets/999999/").status_code == 404


def test_shared_ticket_is_visible_to_agent_of_another_queue(client_for, agent, other_agent,
                                                            ticket):  # fmt: skip
    client_for(agent).post(f"/desk/tickets/{ticket.number}/share/", {"email": other_agent.email})
    assert client_for(other_agent).get(f"/desk/tickets/{ticket.number}/").status_code == 200


def test_post_actions_as_each_persona(client_for, agent, other_agent, customer, supervisor,
                                      admin_user, org_colleague, make_ticket):  # fmt: skip
    for actor in (agent, supervisor, admin_user):
        ticket = make_ticket()
        for url, data in post_actions(ticket, org_colleague).items():
            before = Event.objects.filter(ticket=ticket).count()
            response = client_for(actor).post(url, data)
            assert response.status_code == 302, (actor, url, response.status_code)
            assert response["Location"] == f"/desk/tickets/{ticket.number}/"
            assert Event.objects.filter(ticket=ticket).count() > before, (actor, url)

    ticket = make_ticket()
    for url, data in post_actions(ticket, org_colleague).items():
        assert client_for(other_agent).post(url, data).status_code == 404, url
        assert client_for(customer).post(url, data).status_code == 403, url
        response = Client().post(url, data)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    assert Event.objects.filter(ticket=ticket).count() == 1  # only "created"


def test_files_endpoint_as_each_persona(client_for, agent, other_agent, customer, ticket, upload):
    url = f"/desk/tickets/{ticket.number}/files/"
    assert client_for(other_agent).post(url, {"files": upload()}).status_code == 404
    assert client_for(customer).post(url, {"files": upload()}).status_code == 403
    assert Client().post(url, {"files": upload()}).status_code == 302
    assert ticket.attachments.count() == 0
    assert client_for(agent).post(url, {"files": upload()}).status_code == 302
    assert ticket.attachments.count() == 1


@pytest.mark.parametrize(
    "path",
    ["messages", "status", "fields", "assign", "escalate", "share", "unshare", "files"],
)
def test_action_endpoints_refuse_get(client_for, agent, ticket, path):
    response = client_for(agent).get(f"/desk/tickets/{ticket.number}/{path}/")
    assert response.status_code == 405
    assert Event.objects.filter(ticket=ticket).count() == 1
