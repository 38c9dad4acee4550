"""Many capped counts in one round trip, for the sidebar of the ticket list.

Each count is `COUNT(*)` over at most COUNT_CAP rows of its own query (a LIMIT subquery), so
the cost is bounded whatever the size of the tickets table, and the whole sidebar costs one
query instead of one per entry.
"""

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.db import connections
from django.db.models import QuerySet

from relaydesk.core.pagination import COUNT_CAP


def capped_counts(querysets: list[QuerySet], cap: int = COUNT_CAP) -> list[int]:
    """Like `core.pagination.capped_count` for each of QUERYSETS, in a single query."""
    if not querysets:
        return []
    parts: list[str] = []
    params: list = []
    # The SQL comes from Django's compiler; every value is passed as a parameter.
    for i, qs in enumerate(querysets):
        sql, sub_params = qs.order_by().values("pk")[:cap].query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS c{i})")  # noqa: S608
        params.extend(sub_params)
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)  # noqa: S608
        return [int(n) for n in cursor.fetchone()]


def latest_change_stamp() -> str:
    """When any ticket last changed: every service touches `updated_at`, so a cache keyed on
    this is never stale. One step down an index, whatever the size of the table."""
    from relaydesk.tickets.models import Ticket

    latest = Ticket.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    return latest.isoformat() if latest else "-"


def cached_capped_counts(
    scope: str, make_querysets: Callable[[], list[QuerySet]], size: int, ttl: int = 300
) -> list[int]:
    """`capped_counts`, remembered until any ticket changes (or TTL seconds pass).

    SCOPE names whose counts these are (the viewer and what it may see). Between changes,
    agents reloading their lists pay one indexed lookup instead of a dozen capped counts.
    """
    digest = hashlib.sha256(f"{scope}|{latest_change_stamp()}".encode()).hexdigest()
    key = f"desk:counts:{digest}"
    counts = cache.get(key)
    if counts is None or len(counts) != size:
        counts = capped_counts(make_querysets())
        cache.set(key, counts, ttl)
    return counts
