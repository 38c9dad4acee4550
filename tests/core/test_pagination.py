"""Keyset pagination: every row exactly once, in order, even when the sort key ties; forged
cursors are refused; counts stay bounded."""

import base64
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from relaydesk.core.pagination import (
    BadCursor,
    capped_count,
    encode_cursor,
    format_count,
    paginate,
)
from relaydesk.tickets.models import Ticket
from relaydesk.tickets.queries import SORTS, list_tickets

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def rows(queue, customer):
    """35 tickets: 20 share one timestamp, 15 another; priorities tie in groups too."""

    def make(i: int) -> Ticket:
        stamp = NOW if i < 20 else NOW - timedelta(hours=1)
        return Ticket(number=5000 + i, subject=f"T{i}", queue=queue, requester=customer,
                      priority=1 + i % 4, created_at=stamp, updated_at=stamp)  # fmt: skip

    return Ticket.objects.bulk_create([make(i) for i in range(35)])


def walk(ordering, size, queryset=None):
    queryset = queryset if queryset is not None else Ticket.objects.all()
    seen, cursor, pages = [], None, 0
    while True:
        page = paginate(queryset, ordering, cursor, size)
        seen += [t.pk for t in page.items]
        pages += 1
        assert len(page.items) <= size
        if not page.has_next:
            return seen, pages
        assert len(page.items) == size
        cursor = page.next_cursor
        assert pages < 100


@pytest.mark.parametrize("sort", list(SORTS))
@pytest.mark.parametrize("size", [1, 7, 20, 34, 35, 50])
def test_every_row_exactly_once_in_order_despite_ties(rows, sort, size):
    ordering = SORTS[sort]
    expected = list(Ticket.objects.order_by(*ordering).values_list("pk", flat=True))
    seen, pages = walk(ordering, size)
    assert seen == expected
    assert len(set(seen)) == 35
    assert pages == max(1, -(-35 // size))


def test_all_rows_on_one_timestamp(queue, customer):
    Ticket.objects.bulk_create(
        Ticket(number=7000 + i, subject="same", queue=queue, requester=customer,
               created_at=NOW, updated_at=NOW)
        for i in range(23)
    )  # fmt: skip
    seen, _ = walk(("-updated_at", "-id"), 5)
    assert seen == sorted(seen, reverse=True)
    assert len(set(seen)) == 23


def test_microsecond_timestamps_survive_the_cursor(queue, customer):
    base = NOW.replace(microsecond=123456)
    Ticket.objects.bulk_create(
        Ticket(number=8000 + i, subject="x", queue=queue, requester=customer,
               created_at=base, updated_at=base + timedelta(microseconds=i % 3))
        for i in range(12)
    )  # fmt: skip
    ordering = ("-updated_at", "-id")
    expected = list(Ticket.objects.order_by(*ordering).values_list("pk", flat=True))
    assert walk(ordering, 4)[0] == expected


def test_pages_through_the_query_layer_with_filters(rows, supervisor):
    seen, cursor = [], None
    while True:
        page = list_tickets(supervisor, sort="priority", cursor=cursor, size=6)
        seen += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len({t.pk for t in seen}) == 35
    keys = [(t.priority, t.updated_at, t.pk) for t in seen]
    assert keys == sorted(keys, reverse=True)


def _b64(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!!",
        "€uro",
        _b64({"updated_at": "x"}),
        _b64("a string"),
        _b64([]),
        _b64(["2024-01-01T00:00:00+00:00"]),  # too few values
        _b64(["2024-01-01T00:00:00+00:00", 1, 2]),  # too many
        _b64(["yesterday", 5]),
        _b64(["2024-01-01T00:00:00+00:00", "five"]),
        _b64(["2024-01-01T00:00:00+00:00", None]),
        _b64([None, None]),
        _b64([{"a": 1}, [2]]),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_a_forged_cursor_is_refused(rows, cursor):
    with pytest.raises(BadCursor):
        paginate(Ticket.objects.all(), ("-updated_at", "-id"), cursor, 10)


def test_a_cursor_from_another_ordering_is_refused(rows):
    cursor = encode_cursor(rows[0], ("-priority", "-updated_at", "-id"))
    with pytest.raises(BadCursor):
        paginate(Ticket.objects.all(), ("-updated_at", "-id"), cursor, 10)


def test_the_page_query_seeks_instead_of_counting(rows):
    first = paginate(Ticket.objects.all(), ("-updated_at", "-id"), None, 10)
    with CaptureQueriesContext(connection) as ctx:
        paginate(Ticket.objects.all(), ("-updated_at", "-id"), first.next_cursor, 10)
    [query] = ctx.captured_queries
    sql = query["sql"].upper()
    assert "LIMIT 11" in sql
    assert "OFFSET" not in sql and "COUNT(" not in sql


def test_capped_count(rows):
    assert capped_count(Ticket.objects.all(), cap=10) == 10
    assert capped_count(Ticket.objects.all(), cap=100) == 35
    assert capped_count(Ticket.objects.filter(priority=1), cap=100) == 9
    with CaptureQueriesContext(connection) as ctx:
        capped_count(Ticket.objects.all(), cap=10)
    assert "LIMIT 10" in ctx.captured_queries[0]["sql"].upper()


@pytest.mark.parametrize(
    ("n", "shown"), [(0, "0"), (5, "5"), (999, "999"), (1000, "999+"), (5000, "999+")]
)
def test_format_count(n, shown):
    assert format_count(n) == shown
