"""The customer's request list: mine vs organization, status filter, search, keyset pages."""

import re

import pytest

from relaydesk.tickets.models import Ticket


def numbers_on(response) -> list[int]:
    return [t.number for t in response.context["page"].items]


@pytest.fixture
def tickets(make_ticket, customer, org_colleague, other_customer):
    return {
        "mine": make_ticket(customer, subject="My printer"),
        "colleague": make_ticket(org_colleague, subject="Colleague VPN"),
        "other_org": make_ticket(other_customer, subject="Globex mail"),
    }


def test_mine_lists_only_my_requests(client_for, customer, tickets):
    response = client_for(customer).get("/requests/")
    assert response.status_code == 200
    assert numbers_on(response) == [tickets["mine"].number]
    body = response.content.decode()
    assert '<table class="responsive tickets">' in body
    assert tickets["mine"].reference in body
    assert "portal/request_list.html" in [t.name for t in response.templates]


def test_org_tab_is_hidden_and_ignored_unless_allowed(client_for, customer, tickets):
    response = client_for(customer).get("/requests/?scope=org")
    assert response.context["scope"] == "mine"
    assert numbers_on(response) == [tickets["mine"].number]
    assert "scope=org" not in response.content.decode()


def test_org_scope_when_members_see_all_tickets(client_for, customer, org, tickets):
    org.members_see_all_tickets = True
    org.save()
    response = client_for(customer).get("/requests/?scope=org")
    assert response.context["scope"] == "org"
    assert set(numbers_on(response)) == {tickets["mine"].number, tickets["colleague"].number}
    assert "scope=org" in response.content.decode()
    # "Mine" still means mine.
    assert numbers_on(client_for(customer).get("/requests/")) == [tickets["mine"].number]


def test_org_manager_sees_the_organization_but_never_another(client_for, org_manager, tickets):
    response = client_for(org_manager).get("/requests/?scope=org")
    numbers = set(numbers_on(response))
    assert numbers == {tickets["mine"].number, tickets["colleague"].number}
    assert tickets["other_org"].number not in numbers
    assert "Globex mail" not in response.content.decode()


def test_other_customer_never_sees_our_organization(client_for, other_customer, org, tickets):
    org.members_see_all_tickets = True
    org.save()
    for url in ("/requests/", "/requests/?scope=org", "/requests/?q=printer"):
        response = client_for(other_customer).get(url)
        assert tickets["mine"].number not in numbers_on(response)
        assert tickets["colleague"].number not in numbers_on(response)


def test_status_filter(client_for, customer, make_ticket, set_status):
    open_one = make_ticket(subject="Still open")
    closed_one = set_status(make_ticket(subject="Done"), Ticket.Status.CLOSED)
    resolved_one = set_status(make_ticket(subject="Fixed"), Ticket.Status.RESOLVED)
    client = client_for(customer)
    assert numbers_on(client.get("/requests/?status=open")) == [open_one.number]
    assert set(numbers_on(client.get("/requests/?status=closed"))) == {
        closed_one.number,
        resolved_one.number,
    }
    assert len(numbers_on(client.get("/requests/?status=all"))) == 3
    assert len(numbers_on(client.get("/requests/?status=bogus"))) == 3


def test_search_matches_subjects_of_visible_requests(
    client_for, customer, agent, make_ticket, django_capture_on_commit_callbacks
):
    from relaydesk.tickets import services

    with django_capture_on_commit_callbacks(execute=True):
        printer = make_ticket(subject="Printer on floor two")
        make_ticket(subject="Password reset")
        noted = make_ticket(subject="Laptop battery")
        services.post_message(
            noted, actor=agent, body="printer driver", channel="desk", internal=True
        )
    client = client_for(customer)
    response = client.get("/requests/?q=printer")
    assert numbers_on(response) == [printer.number]  # internal note text never matches
    assert 'value="printer"' in response.content.decode()
    assert numbers_on(client.get("/requests/?q=nothinglikethis")) == []


def test_keyset_paging_walks_every_request_once(client_for, customer, make_ticket, settings):
    settings.PAGE_SIZE = 2
    made = [make_ticket(subject=f"Request {i}") for i in range(5)]
    client = client_for(customer)
    seen, url = [], "/requests/"
    for _ in range(5):
        response = client.get(url)
        seen.extend(numbers_on(response))
        match = re.search(r'href="(\?[^"]*cursor=[^"]+)">Next page', response.content.decode())
        if not match:
            break
        url = "/requests/" + match.group(1).replace("&amp;", "&")
        assert "First page" in client.get(url).content.decode()
    assert seen == [t.number for t in reversed(made)]  # newest activity first, no repeats


def test_a_forged_cursor_shows_the_first_page(client_for, customer, make_ticket):
    ticket = make_ticket()
    response = client_for(customer).get("/requests/?cursor=not-a-cursor")
    assert response.status_code == 200
    assert numbers_on(response) == [ticket.number]


@pytest.mark.parametrize("rows", [2, 25])
def test_query_count_does_not_grow_with_rows(
    client_for, org_manager, org_colleague, make_ticket, rows, django_assert_max_num_queries
):
    for i in range(rows):
        make_ticket(org_colleague if i % 2 else org_manager, subject=f"Row {i}")
    client = client_for(org_manager)
    with django_assert_max_num_queries(6):
        response = client.get("/requests/?scope=org")
    assert len(numbers_on(response)) == rows


def test_agents_are_sent_to_the_desk(client_for, agent, supervisor):
    for user in (agent, supervisor):
        assert client_for(user).get("/requests/")["Location"] == "/desk/"
