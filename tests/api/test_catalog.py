"""/me, /queues and /types."""

from tests.api.conftest import bearer_client
from tests.factories import QueueFactory


def test_me_as_customer(api_for, customer):
    body = api_for(customer).get("/me").json()
    assert body["email"] == customer.email
    assert body["role"] == "customer"
    assert body["organization"]["name"] == "Acme"
    assert body["queues"] == []


def test_me_as_agent(api_for, agent, queue):
    body = api_for(agent).get("/me").json()
    assert body["role"] == "agent"
    assert body["name"] == "Andy Agent"
    assert body["queues"] == [{"id": queue.id, "name": "IT Support", "slug": "it-support"}]


def test_queues_lists_active_queues(api_for, customer, queue, other_queue):
    QueueFactory(name="Old", slug="old", is_active=False)
    body = api_for(customer).get("/queues").json()
    assert [q["slug"] for q in body] == ["it-support", "network"]


def test_types_with_fields(agent, customer, hardware):
    agent_view = bearer_client(agent).get("/types").json()
    (hw,) = agent_view
    assert hw["slug"] == "hardware"
    assert [f["key"] for f in hw["fields"]] == ["device", "units", "asset_tag", "root_cause"]
    device = hw["fields"][0]
    assert device["kind"] == "choice"
    assert device["required"] is True
    assert device["choices"] == ["Laptop", "Printer"]

    (hw,) = bearer_client(customer).get("/types").json()
    assert [f["key"] for f in hw["fields"]] == ["device", "units", "asset_tag"]
