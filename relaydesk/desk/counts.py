"""Many capped counts in one round trip, for the sidebar of the ticket list.

Each count is `COUNT(*)` over at most COUNT_CAP rows of its own query (a LIMIT subquery), so
the cost is bounded whatever the size of the tickets table, and the whole sidebar costs one
query instead of one per entry.
"""

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
