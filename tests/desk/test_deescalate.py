"""POST /desk/tickets/<n>/deescalate/: each persona, the Event written, the form on the page."""

import pytest

from relaydesk.tickets import services
from relaydesk.tickets.models import Event


@pytest.fixture
def tier3_ticket(ticket, agent):
    services.escalate(ticket, actor=agent, reason="hard one", tier=3)
    ticket.refresh_from_db()
    return ticket


def url(ticket):
    return f"/desk/tickets/{ticket.number}/deescalate/"


def page(client, ticket):
    return client.get(f"/desk/tickets/{ticket.number}/").content.decode()


def test_agent_deescalates_with_a_reason(client_for, agent, tier3_ticket):
    client = client_for(agent)
    response = client.post(url(tier3_ticket), {"tier": "1", "reason": "Password reset only"})
    assert response.status_code == 302
    assert response["Location"] == f"/desk/tickets/{tier3_ticket.number}/"
    tier3_ticket.refresh_from_db()
    assert (tier3_ticket.tier, tier3_ticket.assignee) == (1, None)
    event = tier3_ticket.events.get(kind=Event.Kind.DEESCALATED)
    assert (event.actor, event.field, event.note) == (agent, "tier", "Password reset only")
    body = page(client, tier3_ticket)
    assert "De-escalated to tier 1." in body
    assert "De-escalated" in body and "Password reset only" in body  # on the timeline


@pytest.mark.parametrize("who", ["supervisor", "admin_user"])
def test_supervisor_and_admin_may(request, client_for, tier3_ticket, who):
    client = client_for(request.getfixturevalue(who))
    client.post(url(tier3_ticket), {"tier": "2", "reason": "back to tier 2"})
    tier3_ticket.refresh_from_db()
    assert tier3_ticket.tier == 2


def test_to_a_named_agent(client_for, agent, tier3_ticket):
    client_for(agent).post(
        url(tier3_ticket), {"tier": "2", "reason": "yours", "agent": agent.email}
    )
    tier3_ticket.refresh_from_db()
    assert (tier3_ticket.tier, tier3_ticket.assignee) == (2, agent)


def test_reason_required_and_tier_must_be_lower(client_for, agent, tier3_ticket):
    client = client_for(agent)
    client.post(url(tier3_ticket), {"tier": "2", "reason": "  "})
    client.post(url(tier3_ticket), {"tier": "3", "reason": "same tier"})
    client.post(url(tier3_ticket), {"tier": "4", "reason": "up is escalation"})
    client.post(url(tier3_ticket), {"tier": "2", "reason": "x", "agent": "nobody@x.test"})
    tier3_ticket.refresh_from_db()
    assert tier3_ticket.tier == 3
    assert not tier3_ticket.events.filter(kind=Event.Kind.DEESCALATED).exists()
    assert "No active agent uses the address nobody@x.test." in page(client, tier3_ticket)


def test_other_queue_agent_gets_404_and_customer_403(
    client_for, other_agent, customer, tier3_ticket
):
    data = {"tier": "1", "reason": "no"}
    assert client_for(other_agent).post(url(tier3_ticket), data).status_code == 404
    assert client_for(customer).post(url(tier3_ticket), data).status_code == 403
    tier3_ticket.refresh_from_db()
    assert tier3_ticket.tier == 3


def test_anonymous_goes_to_login(client, tier3_ticket):
    response = client.post(url(tier3_ticket), {"tier": "1", "reason": "no"})
    assert response.status_code == 302 and "/login" in response["Location"]


def test_get_is_405_and_changes_nothing(client_for, agent, tier3_ticket):
    response = client_for(agent).get(url(tier3_ticket), {"tier": "1", "reason": "via GET"})
    assert response.status_code == 405
    tier3_ticket.refresh_from_db()
    assert tier3_ticket.tier == 3


def test_form_shown_only_above_tier_one(client_for, agent, ticket, tier3_ticket):
    client = client_for(agent)
    body = page(client, tier3_ticket)
    assert f'action="{url(tier3_ticket)}"' in body
    select = body[
        body.index('id="deesc_tier"') : body.index("</select>", body.index('id="deesc_tier"'))
    ]
    assert '<option value="2">' in select and '<option value="1">' in select
    assert '<option value="3">' not in select
    assert 'id="deescalate-heading"' in body
    # a tier-1 ticket has nothing to go down to
    other = services.open_ticket(
        actor=agent, requester=ticket.requester, subject="s", body="b",
        channel="web", queue=ticket.queue,
    )  # fmt: skip
    assert f'action="{url(other)}"' not in page(client, other)
