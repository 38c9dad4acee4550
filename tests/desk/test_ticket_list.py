"""The ticket list: views, filters, sort, keyset pages, search, counts and query budget."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from relaydesk.tickets import services
from relaydesk.tickets.models import Ticket
from tests.factories import TicketTypeFactory

ROW_NUMBER = re.compile(r'<td data-label="Number"><a href="/desk/tickets/(\d+)/">')


def numbers(response) -> list[int]:
    return [int(n) for n in ROW_NUMBER.findall(response.content.decode())]


def next_url(response) -> str | None:
    match = re.search(r'<a href="([^"]+)"[^>]*rel="next"', response.content.decode())
    return match.group(1).replace("&amp;", "&") if match else None


@pytest.fixture
def many(make_ticket):
    """60 tickets with distinct last-activity times, oldest first."""
    base = timezone.now() - timedelta(days=1)
    tickets = []
    for i in range(60):
        t = make_ticket(subject=f"Ticket {i}")
        Ticket.objects.filter(pk=t.pk).update(updated_at=base + timedelta(minutes=i))
        tickets.append(t)
    return tickets


def walk(client, url):
    seen, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen.extend(numbers(response))
        url = next_url(response)
        pages += 1
        assert pages < 20
    return seen, pages


def test_keyset_pages_cover_every_ticket_once(client_for, agent, many, settings):
    settings.PAGE_SIZE = 25
    seen, pages = walk(client_for(agent), "/desk/")
    assert pages == 3
    assert len(seen) == len(set(seen)) == 60
    expected = [t.number for t in reversed(many)]  # newest activity first
    assert seen == expected


@pytest.mark.parametrize("sort", ["oldest", "created", "priority"])
def test_every_sort_pages_without_gaps(client_for, agent, many, settings, sort):
    settings.PAGE_SIZE = 7
    seen, _pages = walk(client_for(agent), f"/desk/?sort={sort}")
    assert sorted(seen) == sorted(t.number for t in many)
    assert len(seen) == len(set(seen))
    if sort == "oldest":
        assert seen == [t.number for t in many]


def test_first_page_link_drops_the_cursor(client_for, agent, many, settings):
    settings.PAGE_SIZE = 25
    client = client_for(agent)
    second = client.get(next_url(client.get("/desk/?sort=oldest")))
    body = second.content.decode()
    assert "First page" in body
    assert 'href="/desk/?sort=oldest"' in body
    assert 'href="/desk/?"' not in client.get(next_url(client.get("/desk/"))).content.decode()


def test_bad_cursor_is_400_not_500(client_for, agent, many):
    client = client_for(agent)
    for cursor in ["garbage!!", "WyJub3QgYSBkYXRlIiwgMV0", "e30"]:
        response = client.get(f"/desk/?cursor={cursor}")
        assert response.status_code == 400
        assert "no longer valid" in response.content.decode()
        assert "Go to the first page" in response.content.decode()
    assert client.get("/desk/?q=printer&cursor=abc").status_code == 400


def test_views_mine_unassigned_open_all(client_for, agent, supervisor, make_ticket, other_queue,
                                        customer):  # fmt: skip
    mine = make_ticket(subject="Mine")
    services.assign(mine, actor=agent, assignee=agent)
    unassigned = make_ticket(subject="Nobody's")
    closed = make_ticket(subject="Done")
    services.change_status(closed, actor=agent, status="closed")
    elsewhere = make_ticket(subject="Elsewhere", queue_=other_queue)
    client = client_for(agent)

    def listed(url, c=client):
        return set(numbers(c.get(url)))

    assert listed("/desk/?view=mine") == {mine.number}
    assert listed("/desk/?view=unassigned") == {unassigned.number}
    assert listed("/desk/") == {mine.number, unassigned.number}
    assert listed("/desk/?view=open") == {mine.number, unassigned.number}
    assert listed("/desk/?view=all") == {mine.number, unassigned.number, closed.number}
    # Shared from another queue: the agent sees it, but it is not in its unassigned queue view.
    services.share(elsewhere, actor=supervisor, user=agent)
    assert listed("/desk/?view=unassigned") == {unassigned.number}
    assert elsewhere.number in listed("/desk/?view=open")
    # A supervisor sees every queue.
    assert elsewhere.number in listed("/desk/?view=all", client_for(supervisor))
    assert elsewhere.number in listed("/desk/?view=unassigned", client_for(supervisor))


def test_filters(client_for, agent, make_ticket, queue):
    hardware = TicketTypeFactory(name="Hardware")
    a = make_ticket(subject="A", priority=4, ticket_type=hardware)
    b = make_ticket(subject="B", priority=1)
    services.update_ticket(b, actor=agent, tier=3)
    services.assign(b, actor=agent, assignee=agent)
    c = make_ticket(subject="C")
    services.change_status(c, actor=agent, status="waiting")
    client = client_for(agent)

    def listed(query):
        return set(numbers(client.get(f"/desk/?{query}")))

    assert listed("priority=4") == {a.number}
    assert listed(f"type={hardware.pk}") == {a.number}
    assert listed("tier=3") == {b.number}
    assert listed("assignee=me") == {b.number}
    assert listed(f"assignee={agent.pk}") == {b.number}
    assert listed("assignee=none") == {a.number, c.number}
    assert listed("status=waiting") == {c.number}
    assert listed("status=waiting&status=in_progress") == {b.number, c.number}
    assert listed(f"queue={queue.pk}") == {a.number, b.number, c.number}
    # Nonsense values are ignored, never an error.
    assert client.get("/desk/?priority=banana&tier=9&queue=x&sort=nope").status_code == 200


def test_search_by_word_and_by_number(client_for, agent, make_ticket,
                                      django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        vpn = make_ticket(subject="VPN drops every hour", body="The tunnel resets.")
        make_ticket(subject="Printer jam", body="Paper stuck.")
    client = client_for(agent)
    services.change_status(vpn, actor=agent, status="closed")
    # A search looks through every status unless a view narrows it.
    assert numbers(client.get("/desk/?q=tunnel")) == [vpn.number]
    assert numbers(client.get("/desk/?q=tunnel&view=open")) == []
    assert numbers(client.get("/desk/?q=vpn")) == [vpn.number]
    assert numbers(client.get("/desk/?q=nothingmatches")) == []
    response = client.get(f"/desk/?q={vpn.reference}")
    assert response.status_code == 302
    assert response["Location"] == f"/desk/tickets/{vpn.number}/"
    htmx = client.get(f"/desk/?q={vpn.reference}", headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == f"/desk/tickets/{vpn.number}/"


def test_search_does_not_jump_to_an_invisible_ticket(client_for, other_agent, make_ticket):
    hidden = make_ticket()
    response = client_for(other_agent).get(f"/desk/?q={hidden.reference}")
    assert response.status_code == 200
    assert numbers(response) == []


def test_columns_and_sidebar_counts(client_for, agent, make_ticket, queue, customer):
    t = make_ticket(subject="Screen flickers", priority=3)
    make_ticket(subject="Second")
    body = client_for(agent).get("/desk/").content.decode()
    assert t.reference in body and "Screen flickers" in body
    assert customer.display_name in body and queue.name in body
    assert "status-new" in body and "High" in body
    # Sidebar: views, the agent's queue, statuses and tiers, each with a count.
    assert re.search(r"All open</span> <span class=\"count\">2</span>", body)
    assert re.search(r"IT Support</span> <span class=\"count\">2</span>", body)
    assert re.search(r"Tier 1</span> <span class=\"count\">2</span>", body)
    assert re.search(r"My tickets</span> <span class=\"count\">0</span>", body)


def test_sidebar_counts_are_cached_until_a_ticket_changes(client_for, agent, make_ticket):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from relaydesk.tickets import services

    ticket = make_ticket()
    client = client_for(agent)
    with CaptureQueriesContext(connection) as first:
        client.get("/desk/")
    with CaptureQueriesContext(connection) as second:
        body = client.get("/desk/").content.decode()
    # The second load reuses the counts: the big multi-count query is not run again.
    assert len(second) == len(first) - 1
    assert re.search(r"My tickets</span> <span class=\"count\">0</span>", body)
    services.assign(ticket, actor=agent, assignee=agent)
    body = client.get("/desk/").content.decode()
    assert re.search(r"My tickets</span> <span class=\"count\">1</span>", body)


def test_capped_counts_in_one_query(agent, make_ticket, django_assert_num_queries):
    from relaydesk.desk.counts import capped_counts
    from relaydesk.tickets.queries import visible_tickets

    for _ in range(5):
        make_ticket()
    qs = visible_tickets(agent)
    with django_assert_num_queries(1):
        assert capped_counts([qs, qs.filter(status="closed"), qs], cap=3) == [3, 0, 3]


def test_htmx_filter_returns_only_the_table(client_for, agent, make_ticket):
    make_ticket()
    response = client_for(agent).get(
        "/desk/?priority=2", headers={"HX-Request": "true", "HX-Target": "ticket-results"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="ticket-results"')
    assert "<html" not in body
    assert '<h1 id="list-title" hx-swap-oob="true">All open</h1>' in body


@pytest.mark.parametrize("count", [5, 60])
def test_query_count_is_bounded(client_for, agent, supervisor, make_ticket, count,
                                django_assert_max_num_queries):  # fmt: skip
    for i in range(count):
        t = make_ticket(subject=f"T{i}")
        if i % 2:
            services.assign(t, actor=agent, assignee=agent)
    for user in (agent, supervisor):
        client = client_for(user)
        with django_assert_max_num_queries(10):
            assert client.get("/desk/").status_code == 200
        with django_assert_max_num_queries(10):
            assert client.get("/desk/?view=mine&sort=priority&tier=1").status_code == 200


def test_get_never_changes_state(client_for, agent, ticket):
    before = Ticket.objects.values().get(pk=ticket.pk)
    client_for(agent).get("/desk/")
    client_for(agent).get(f"/desk/tickets/{ticket.number}/")
    assert Ticket.objects.values().get(pk=ticket.pk) == before
    assert ticket.events.count() == 1


def test_last_activity_is_shown_in_the_viewer_time_zone(client_for, agent, ticket):
    from datetime import UTC, datetime

    Ticket.objects.filter(pk=ticket.pk).update(updated_at=datetime(2030, 1, 2, 23, 30, tzinfo=UTC))
    agent.time_zone = "Asia/Tokyo"
    agent.save()
    body = client_for(agent).get("/desk/").content.decode()
    assert "2030-01-03 08:30" in body
