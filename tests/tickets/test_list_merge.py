"""Query shapes that keep the read paths fast at a million tickets (see bench/README.md).

An agent's list over several statuses is merged from one index range per status: the page
must be exactly the page one plain ORDER BY would give, page after page, in one query.
Search fetches only the rows of the page, and a very short last word is not a prefix.
"""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from relaydesk.tickets import queries
from relaydesk.tickets.models import Ticket
from relaydesk.tickets.queries import SORTS, TicketFilter

OPEN = [str(s) for s in Ticket.OPEN_STATUSES]


@pytest.fixture
def mixed(make_ticket, agent, other_queue):
    """30 tickets in every status, with ties on updated_at, some in a queue the agent lacks."""
    rng = random.Random(5)
    statuses = Ticket.Status.values
    base = timezone.now() - timedelta(days=30)
    tickets = []
    for i in range(30):
        t = make_ticket(subject=f"T{i}", queue_=other_queue if i % 7 == 0 else None)
        tickets.append(t)
    for i, t in enumerate(tickets):
        # Every third pair shares a timestamp, so the id tie-break is exercised.
        Ticket.objects.filter(pk=t.pk).update(
            status=rng.choice(statuses),
            priority=rng.choice(Ticket.Priority.values),
            updated_at=base + timedelta(hours=(i // 2) * 3 if i % 3 == 0 else i * 3 + 1),
            assignee=agent if i % 5 == 0 else None,
        )
    return tickets


def expected(user, filters, sort):
    qs = queries.visible_tickets(user)
    if filters:
        qs = filters.apply(qs)
    return list(qs.order_by(*SORTS[sort]).values_list("pk", flat=True))


def walk(user, filters, sort, size):
    pks, cursor, pages = [], None, 0
    while True:
        page = queries.list_tickets(user, filters, sort=sort, cursor=cursor, size=size)
        pks.extend(t.pk for t in page.items)
        pages += 1
        if not page.next_cursor:
            return pks, pages
        cursor = page.next_cursor
        assert pages < 50


@pytest.mark.parametrize("sort", ["updated", "oldest", "priority", "created"])
@pytest.mark.parametrize(
    "make_filter",
    [
        lambda agent: None,
        lambda agent: TicketFilter(statuses=OPEN),
        lambda agent: TicketFilter(statuses=["new", "closed"]),
        lambda agent: TicketFilter(statuses=OPEN, unassigned=True),
        lambda agent: TicketFilter(assignee_id=agent.pk),
    ],
)
def test_merged_pages_equal_one_plain_ordering(mixed, agent, supervisor, sort, make_filter):
    for user in (agent, supervisor):
        filters = make_filter(agent)
        want = expected(user, filters, sort)
        assert want, "the fixture should give every case some tickets"
        got, pages = walk(user, filters, sort, size=4)
        assert got == want
        assert pages == -(-len(want) // 4)  # no empty last page


def test_merged_page_is_one_query_reading_one_range_per_status(mixed, agent):
    with CaptureQueriesContext(connection) as ctx:
        page = queries.list_tickets(agent, TicketFilter(statuses=OPEN), size=5)
        [(t.queue.name, t.requester.email) for t in page.items]  # select_related: no query
    tickets_queries = [q["sql"] for q in ctx.captured_queries if "tickets_ticket" in q["sql"]]
    assert len(tickets_queries) == 1
    assert tickets_queries[0].count("UNION ALL") == len(OPEN) - 1


def test_by_priority_a_page_reads_a_range_per_status_and_priority(mixed, agent):
    with CaptureQueriesContext(connection) as ctx:
        first = queries.list_tickets(agent, TicketFilter(statuses=OPEN), sort="priority", size=3)
    [sql] = [q["sql"] for q in ctx.captured_queries if "tickets_ticket" in q["sql"]]
    assert sql.count("UNION ALL") == len(OPEN) * len(Ticket.Priority.values) - 1
    # On a later page the priorities above the cursor's are done: no range is read for them.
    last = first.items[-1]
    with CaptureQueriesContext(connection) as ctx:
        queries.list_tickets(
            agent, TicketFilter(statuses=OPEN), sort="priority", cursor=first.next_cursor, size=3
        )
    [sql] = [q["sql"] for q in ctx.captured_queries if "tickets_ticket" in q["sql"]]
    assert sql.count("UNION ALL") == len(OPEN) * last.priority - 1


def test_single_status_and_customer_lists_stay_plain(mixed, agent, customer):
    for user, filters in ((agent, TicketFilter(statuses=["new"])), (customer, None)):
        with CaptureQueriesContext(connection) as ctx:
            queries.list_tickets(user, filters)
        assert not any("UNION ALL" in q["sql"] for q in ctx.captured_queries)


def test_search_fetches_only_the_rows_of_the_page(
    make_ticket, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the search indexer runs on commit
        for i in range(12):
            make_ticket(subject=f"Monitor flickers {i}")
    with CaptureQueriesContext(connection) as ctx:
        page = queries.search_tickets(agent, "monitor", size=5)
        [t.queue.name for t in page.items]
    assert len(page.items) == 5 and page.next_cursor
    numbers = [t.number for t in page.items]
    assert numbers == sorted(numbers, reverse=True)
    full_rows = [q["sql"] for q in ctx.captured_queries if '"tickets_ticket"."subject"' in q["sql"]]
    assert len(full_rows) == 1  # one fetch of the page, not of every candidate


def test_short_last_word_is_matched_whole(make_ticket, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        printer = make_ticket(subject="Printer on floor 2 jams")
        pa = make_ticket(subject="The pa system hums")
    found = lambda q: [t.pk for t in queries.search_tickets(agent, q).items]  # noqa: E731
    assert found("pa") == [pa.pk]  # not every word starting with "pa"
    assert found("pr") == []  # "printer" is not found by two letters
    assert found("pri") == [printer.pk]  # three letters are a prefix again
