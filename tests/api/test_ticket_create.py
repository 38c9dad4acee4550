"""POST /api/v1/tickets: who may open what, and the validation errors."""

import pytest

from relaydesk.tickets.models import Event, Message, Ticket
from tests.api.conftest import bearer_client


def test_customer_opens_a_ticket(api_for, customer, queue):
    response = api_for(customer).post(
        "/tickets", {"subject": "Printer", "body": "It jams.", "priority": "high"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(number=body["number"])
    assert body["reference"] == ticket.reference
    assert body["status"] == "new"
    assert body["priority"] == "high"
    assert body["channel"] == "api"
    assert body["requester"]["email"] == customer.email
    assert body["organization"]["name"] == "Acme"
    assert ticket.channel == Ticket.Channel.API
    assert ticket.requester == customer
    assert ticket.messages.get().body_text == "It jams."
    assert ticket.events.filter(kind=Event.Kind.CREATED, actor=customer).exists()


def test_html_body_is_sanitized(customer, queue):
    response = bearer_client(customer).post(
        "/tickets",
        {"subject": "Hi", "body_html": "<p>Hello <script>alert(1)</script><b>there</b></p>"},
    )
    assert response.status_code == 201
    message = Message.objects.get(ticket__number=response.json()["number"])
    assert "<script" not in message.body_html
    assert "<b>there</b>" in message.body_html
    assert "Hello" in message.body_text


def test_queue_and_type_by_slug_or_id(agent, customer, queue, other_queue, hardware):
    api = bearer_client(agent)
    body = {
        "subject": "Laptop",
        "body": "Broken",
        "requester": customer.email,
        "queue": "network",
        "type": hardware.id,
        "custom": {"device": "Laptop", "units": "2", "root_cause": "User error"},
    }
    response = api.post("/tickets", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["queue"] == {"id": other_queue.id, "name": "Network", "slug": "network"}
    assert data["type"]["slug"] == "hardware"
    assert data["custom"]["device"] == "Laptop"
    assert data["custom"]["units"] == 2
    assert data["custom"]["root_cause"] == "User error"
    assert [f["key"] for f in data["fields"]] == ["device", "units", "asset_tag", "root_cause"]


def test_agent_opens_on_behalf_of_a_customer(api_for, agent, customer, queue):
    response = api_for(agent).post(
        "/tickets", {"subject": "Phoned in", "body": "VPN down", "requester": customer.email}
    )
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert ticket.requester == customer
    assert ticket.messages.get().author == agent


def test_agent_cannot_open_for_an_unknown_or_staff_email(agent, other_agent, queue):
    api = bearer_client(agent)
    for email in ("ghost@example.test", other_agent.email):
        response = api.post("/tickets", {"subject": "x", "body": "y", "requester": email})
        assert response.status_code == 422
        assert "requester" in response.json()["errors"]
    assert not Ticket.objects.exists()


def test_customer_cannot_open_for_someone_else(api_for, customer, other_customer, queue):
    response = api_for(customer).post(
        "/tickets", {"subject": "x", "body": "y", "requester": other_customer.email}
    )
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_customer_may_name_itself_as_requester(customer, queue):
    response = bearer_client(customer).post(
        "/tickets", {"subject": "x", "body": "y", "requester": customer.email.upper()}
    )
    assert response.status_code == 201


def test_missing_subject_is_422(customer, queue):
    response = bearer_client(customer).post("/tickets", {"body": "y"})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == {"subject": ["This field is required."]}
    assert "subject" in body["detail"]


def test_blank_subject_and_body_are_422(customer, queue):
    response = bearer_client(customer).post("/tickets", {"subject": "   ", "body": "y"})
    assert response.status_code == 422
    assert "subject" in response.json()["errors"]
    response = bearer_client(customer).post("/tickets", {"subject": "Hi"})
    assert response.status_code == 422
    assert "body" in response.json()["errors"]
    assert not Ticket.objects.exists()


def test_unknown_body_field_is_422(customer, queue):
    response = bearer_client(customer).post(
        "/tickets", {"subject": "x", "body": "y", "status": "closed"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"status": ["Unknown field."]}


def test_unknown_custom_field_key_is_422(customer, queue, hardware):
    response = bearer_client(customer).post(
        "/tickets",
        {"subject": "x", "body": "y", "type": "hardware",
         "custom": {"device": "Laptop", "colour": "red"}},
    )  # fmt: skip
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"custom.colour"}


def test_customer_cannot_set_internal_custom_fields(customer, queue, hardware):
    response = bearer_client(customer).post(
        "/tickets",
        {"subject": "x", "body": "y", "type": "hardware",
         "custom": {"device": "Laptop", "root_cause": "User error"}},
    )  # fmt: skip
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"custom.root_cause"}


@pytest.mark.parametrize(
    "custom, bad",
    [
        ({"device": "Laptop", "units": "many"}, "custom.units"),
        ({"device": "Toaster"}, "custom.device"),
        ({"device": ["Laptop"]}, "custom.device"),
        ({}, "custom.device"),  # required
    ],
)
def test_wrong_custom_values_are_422(customer, queue, hardware, custom, bad):
    response = bearer_client(customer).post(
        "/tickets", {"subject": "x", "body": "y", "type": "hardware", "custom": custom}
    )
    assert response.status_code == 422
    assert bad in response.json()["errors"]
    assert not Ticket.objects.exists()


def test_custom_values_without_a_type_are_422(customer, queue):
    response = bearer_client(customer).post(
        "/tickets", {"subject": "x", "body": "y", "custom": {"device": "Laptop"}}
    )
    assert response.status_code == 422
    assert "custom.device" in response.json()["errors"]


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"queue": "nowhere"}, "queue"),
        ({"type": "nothing"}, "type"),
        ({"priority": "asap"}, "priority"),
        ({"subject": 12}, "subject"),
    ],
)
def test_bad_references_are_422(customer, queue, extra, field):
    response = bearer_client(customer).post("/tickets", {"subject": "x", "body": "y", **extra})
    assert response.status_code == 422
    assert field in response.json()["errors"]
