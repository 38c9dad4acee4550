"""GET /api/v1/tickets: what each persona sees, filters, keyset pages, bounded queries."""

import pytest

from relaydesk.tickets import services
from relaydesk.tickets.models import Ticket
from tests.api.conftest import bearer_client

TICKET_KEYS = {
    "number", "reference", "subject", "status", "priority", "channel", "queue", "tier", "type",
    "requester", "organization", "assignee", "created_at", "updated_at", "custom",
}  # fmt: skip


def numbers(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["number"] for item in response.json()["items"]}


@pytest.fixture
def tickets(make_ticket, customer, org_colleague, other_customer, other_queue):
    """One ticket each: the customer's, its colleague's, another org's, one in other_queue."""
    return {
        "own": make_ticket(customer),
        "colleague": make_ticket(org_colleague),
        "other": make_ticket(other_customer),
        "other_queue": make_ticket(customer, queue_=other_queue),
    }


def test_customer_sees_only_its_own_tickets(api_for, customer, tickets):
    got = numbers(api_for(customer).get("/tickets"))
    assert got == {tickets["own"].number, tickets["other_queue"].number}


def test_org_manager_sees_the_organizations_tickets(api_for, org_manager, tickets):
    got = numbers(api_for(org_manager).get("/tickets"))
    assert got == {t.number for k, t in tickets.items() if k != "other"}


def test_other_customer_sees_only_its_own(api_for, other_customer, tickets):
    assert numbers(api_for(other_customer).get("/tickets")) == {tickets["other"].number}


def test_agent_sees_its_queue_only(api_for, agent, tickets):
    got = numbers(api_for(agent).get("/tickets"))
    assert got == {tickets["own"].number, tickets["colleague"].number, tickets["other"].number}


def test_other_agent_sees_its_queue_only(api_for, other_agent, tickets):
    assert numbers(api_for(other_agent).get("/tickets")) == {tickets["other_queue"].number}


def test_supervisor_and_admin_see_everything(api_for, supervisor, admin_user, tickets):
    every = {t.number for t in tickets.values()}
    assert numbers(api_for(supervisor).get("/tickets")) == every
    assert numbers(api_for(admin_user).get("/tickets")) == every


def test_list_item_shape(customer, ticket):
    body = bearer_client(customer).get("/tickets").json()
    assert body["next_cursor"] is None
    (item,) = body["items"]
    assert set(item) == TICKET_KEYS
    assert item["reference"] == f"RD-{ticket.number}"
    assert item["status"] == "new"
    assert item["priority"] == "normal"
    assert item["queue"]["name"] == "IT Support"
    assert item["requester"] == {"email": customer.email, "name": "Cora Customer"}
    assert item["organization"]["name"] == "Acme"
    assert item["assignee"] is None
    assert item["created_at"].endswith("Z")  # ISO 8601, UTC


def test_filters(agent, make_ticket, customer, hardware):
    api = bearer_client(agent)
    urgent = make_ticket(subject="Server down", priority=Ticket.Priority.URGENT)
    typed = make_ticket(subject="Laptop", ticket_type=hardware, custom={"device": "Laptop"})
    mine = make_ticket(subject="Mine")
    services.assign(mine, actor=agent, assignee=agent)  # -> in progress
    waiting = make_ticket(subject="Waiting")
    services.change_status(waiting, actor=agent, status="waiting")

    assert numbers(api.get("/tickets", {"priority": "urgent"})) == {urgent.number}
    assert numbers(api.get("/tickets", {"type": "hardware"})) == {typed.number}
    assert numbers(api.get("/tickets", {"type": hardware.id})) == {typed.number}
    assert numbers(api.get("/tickets", {"assignee": "me"})) == {mine.number}
    assert numbers(api.get("/tickets", {"assignee": agent.email})) == {mine.number}
    assert mine.number not in numbers(api.get("/tickets", {"assignee": "none"}))
    assert numbers(api.get("/tickets", {"status": ["in_progress", "waiting"]})) == {
        mine.number,
        waiting.number,
    }
    assert numbers(api.get("/tickets", {"status": "waiting"})) == {waiting.number}
    assert len(numbers(api.get("/tickets", {"queue": "it-support", "tier": 1}))) == 4
    assert numbers(api.get("/tickets", {"tier": 2})) == set()


def test_bad_filter_values_are_422(agent):
    api = bearer_client(agent)
    for params in (
        {"status": "sleeping"},
        {"priority": "whenever"},
        {"limit": 0},
        {"limit": 101},
        {"sort": "random"},
        {"queue": "nowhere"},
        {"assignee": "nobody@example.test"},
    ):
        response = api.get("/tickets", params)
        assert response.status_code == 422, params
        body = response.json()
        assert body["detail"] and body["errors"], params


def test_keyset_pages_cover_everything_once(api_for, agent, make_ticket):
    made = {make_ticket(subject=f"Ticket {i}").number for i in range(7)}
    api = api_for(agent)
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 3, "sort": "created"}
        if cursor:
            params["cursor"] = cursor
        body = api.get("/tickets", params).json()
        seen.extend(item["number"] for item in body["items"])
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == made
    assert seen == sorted(seen, reverse=True)  # newest first


@pytest.mark.parametrize("cursor", ["garbage!", "bm90IGpzb24", "WzEsMl0"])
def test_bad_cursor_is_400(agent, ticket, cursor):
    response = bearer_client(agent).get("/tickets", {"cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()["detail"]


def test_search(agent, customer, other_customer, make_ticket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # indexing runs after commit
        printer = make_ticket(subject="Printer on fire")
        make_ticket(subject="Password reset")
        others = make_ticket(other_customer, subject="Printer jammed")
    assert numbers(bearer_client(agent).get("/tickets", {"q": "printer"})) == {
        printer.number,
        others.number,
    }
    assert numbers(bearer_client(customer).get("/tickets", {"q": "printer"})) == {printer.number}
    assert numbers(bearer_client(agent).get("/tickets", {"q": printer.reference})) == {
        printer.number
    }
    response = bearer_client(agent).get("/tickets", {"q": "printer", "cursor": "abc"})
    assert response.status_code == 400


def test_customer_list_hides_internal_custom_fields(customer, agent, make_ticket, hardware):
    t = make_ticket(ticket_type=hardware, custom={"device": "Laptop"})
    services.update_ticket(t, actor=agent, custom={"root_cause": "User error"})
    (item,) = bearer_client(customer).get("/tickets").json()["items"]
    assert item["custom"]["device"] == "Laptop"
    assert "root_cause" not in item["custom"]
    (item,) = bearer_client(agent).get("/tickets").json()["items"]
    assert item["custom"]["device"] == "Laptop"
    assert item["custom"]["root_cause"] == "User error"


@pytest.mark.parametrize("count", [5, 60])
def test_list_query_count_is_bounded(
    count, make_ticket, customer, agent, supervisor, hardware, django_assert_max_num_queries
):
    for i in range(count):
        t = make_ticket(subject=f"Ticket {i}", ticket_type=hardware, custom={"device": "Laptop"})
        if i % 2:
            services.assign(t, actor=agent, assignee=agent)
    for user in (customer, agent, supervisor):
        api = bearer_client(user)
        # Token lookup (+ last_used_at write), the agent's queues, one page of tickets and,
        # for customers, the custom field keys they may read.
        with django_assert_max_num_queries(5):
            response = api.get("/tickets", {"limit": 100})
        assert len(response.json()["items"]) == count
