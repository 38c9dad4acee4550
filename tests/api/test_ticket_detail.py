"""GET and PATCH /api/v1/tickets/{number}, and POST .../escalate."""

import pytest

from relaydesk.tickets import services
from relaydesk.tickets.models import Event, Ticket
from tests.api.conftest import bearer_client


@pytest.fixture
def typed_ticket(make_ticket, agent, hardware):
    ticket = make_ticket(ticket_type=hardware, custom={"device": "Laptop", "asset_tag": "A-1"})
    services.update_ticket(ticket, actor=agent, custom={"root_cause": "User error"})
    return ticket


# --- GET -----------------------------------------------------------------------------------


def test_customer_reads_its_ticket_with_visible_fields(api_for, customer, typed_ticket):
    response = api_for(customer).get(f"/tickets/{typed_ticket.number}")
    assert response.status_code == 200
    body = response.json()
    assert body["subject"] == "Printer is broken"
    assert body["custom"] == {"device": "Laptop", "units": None, "asset_tag": "A-1"}
    assert [f["key"] for f in body["fields"]] == ["device", "units", "asset_tag"]
    assert body["fields"][0]["display"] == "Laptop"
    assert body["allowed_statuses"] == ["closed"]


def test_agent_reads_every_field(api_for, agent, typed_ticket):
    body = api_for(agent).get(f"/tickets/{typed_ticket.reference}").json()
    assert body["custom"]["root_cause"] == "User error"
    assert "root_cause" in [f["key"] for f in body["fields"]]
    assert "in_progress" in body["allowed_statuses"]


def test_unknown_or_malformed_number_is_404(agent, ticket):
    api = bearer_client(agent)
    assert api.get(f"/tickets/{ticket.number + 1}").status_code == 404
    response = api.get("/tickets/not-a-number")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_detail_query_count_is_bounded(agent, typed_ticket, django_assert_max_num_queries):
    api = bearer_client(agent)
    api.get("/me")  # the token's first use writes last_used_at; not what is measured
    with django_assert_max_num_queries(5):
        assert api.get(f"/tickets/{typed_ticket.number}").status_code == 200


# --- PATCH ---------------------------------------------------------------------------------


def test_agent_changes_fields(api_for, agent, other_agent, ticket, other_queue, hardware):
    response = api_for(agent).patch(
        f"/tickets/{ticket.number}",
        {"subject": "Printer on fire", "priority": "urgent", "tier": 2, "type": "hardware",
         "custom": {"device": "Printer", "root_cause": "Hardware fault"}},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["subject"], body["priority"], body["tier"]) == ("Printer on fire", "urgent", 2)
    assert body["type"]["slug"] == "hardware"
    assert body["custom"]["device"] == "Printer"
    ticket.refresh_from_db()
    assert ticket.priority == Ticket.Priority.URGENT
    assert ticket.custom["root_cause"] == "Hardware fault"
    fields = set(ticket.events.filter(kind=Event.Kind.FIELD).values_list("field", flat=True))
    assert {"subject", "priority", "tier", "ticket_type", "custom.device"} <= fields


def test_agent_assigns_changes_status_and_unassigns(api_for, agent, ticket):
    api = api_for(agent)
    response = api.patch(f"/tickets/{ticket.number}", {"assignee": agent.email})
    assert response.status_code == 200
    assert response.json()["assignee"]["email"] == agent.email
    assert response.json()["status"] == "in_progress"  # taking a new ticket starts it

    response = api.patch(f"/tickets/{ticket.number}", {"status": "waiting", "assignee": None})
    assert response.status_code == 200
    assert response.json()["status"] == "waiting"
    assert response.json()["assignee"] is None


def test_agent_moves_ticket_to_a_queue_it_cannot_see(agent, ticket, other_queue):
    response = bearer_client(agent).patch(f"/tickets/{ticket.number}", {"queue": "network"})
    assert response.status_code == 200
    assert response.json()["queue"]["slug"] == "network"
    assert bearer_client(agent).get(f"/tickets/{ticket.number}").status_code == 404


def test_unknown_status_transition_is_422_and_changes_nothing(agent, ticket):
    response = bearer_client(agent).patch(
        f"/tickets/{ticket.number}", {"subject": "Changed", "status": "feedback"}
    )
    assert response.status_code == 422
    assert "status" in response.json()["errors"]
    ticket.refresh_from_db()
    assert ticket.subject == "Printer is broken"  # all or nothing
    assert ticket.status == "new"


def test_unknown_status_name_is_422(agent, ticket):
    response = bearer_client(agent).patch(f"/tickets/{ticket.number}", {"status": "sleeping"})
    assert response.status_code == 422
    assert "status" in response.json()["errors"]


@pytest.mark.parametrize(
    "patch, field",
    [
        ({"assignee": "customer@acme.test"}, "assignee"),
        ({"assignee": "ghost@example.test"}, "assignee"),
        ({"tier": 9}, "tier"),
        ({"queue": None}, "queue"),
        ({"subject": None}, "subject"),
        ({"colour": "red"}, "colour"),
        ({"custom": {"device": "Laptop"}}, "custom.device"),  # the ticket has no type
    ],
)
def test_bad_patches_are_422(agent, customer, ticket, patch, field):
    response = bearer_client(agent).patch(f"/tickets/{ticket.number}", patch)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]


def test_wrong_custom_value_type_is_422(agent, typed_ticket):
    response = bearer_client(agent).patch(
        f"/tickets/{typed_ticket.number}", {"custom": {"units": "lots"}}
    )
    assert response.status_code == 422
    assert "custom.units" in response.json()["errors"]


def test_customer_closes_its_ticket_but_cannot_edit_fields(api_for, customer, ticket):
    api = api_for(customer)
    response = api.patch(f"/tickets/{ticket.number}", {"priority": "urgent"})
    assert response.status_code == 403
    response = api.patch(f"/tickets/{ticket.number}", {"assignee": "agent@desk.test"})
    assert response.status_code == 403
    response = api.patch(f"/tickets/{ticket.number}", {"status": "closed"})
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    ticket.refresh_from_db()
    assert ticket.priority == Ticket.Priority.NORMAL


def test_customer_cannot_resolve(customer, ticket):
    response = bearer_client(customer).patch(f"/tickets/{ticket.number}", {"status": "resolved"})
    assert response.status_code == 422


# --- escalate ------------------------------------------------------------------------------


def test_agent_escalates_one_tier_up(api_for, agent, ticket):
    services.assign(ticket, actor=agent, assignee=agent)
    response = api_for(agent).post(
        f"/tickets/{ticket.number}/escalate", {"reason": "Needs a specialist"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["tier"] == 2
    assert body["assignee"] is None
    event = ticket.events.get(kind=Event.Kind.ESCALATED)
    assert event.note == "Needs a specialist"


def test_escalate_to_another_queue_and_agent(agent, other_agent, ticket, other_queue):
    response = bearer_client(agent).post(
        f"/tickets/{ticket.number}/escalate",
        {"reason": "Network issue", "queue": "network", "assignee": other_agent.email, "tier": 1},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["queue"]["slug"], body["tier"]) == ("network", 1)
    assert body["assignee"]["email"] == other_agent.email


def test_escalate_validation(agent, ticket):
    api = bearer_client(agent)
    assert api.post(f"/tickets/{ticket.number}/escalate", {}).status_code == 422
    response = api.post(f"/tickets/{ticket.number}/escalate", {"reason": "   "})
    assert response.status_code == 422
    assert "reason" in response.json()["errors"]
    response = api.post(f"/tickets/{ticket.number}/escalate", {"reason": "x", "tier": 1})
    assert response.status_code == 422  # same tier, same queue: not an escalation
    response = api.post(f"/tickets/{ticket.number}/escalate", {"reason": "x", "when": "now"})
    assert response.json()["errors"] == {"when": ["Unknown field."]}


def test_customer_cannot_escalate(api_for, customer, ticket):
    response = api_for(customer).post(f"/tickets/{ticket.number}/escalate", {"reason": "Hurry"})
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.tier == 1
