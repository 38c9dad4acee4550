"""Keyset pagination: pages are found by seeking an index, never by OFFSET or COUNT(*).

An ordering is a tuple of model field names ("-updated_at", "-id"); the last must be unique.
The cursor carries the sort values of the last row shown, opaque to the user.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from django.db.models import Model, Q, QuerySet

T = TypeVar("T", bound=Model)

COUNT_CAP = 1000


class BadCursor(ValueError):
    pass


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def _value_of(obj: Model, field: str):
    value = getattr(obj, field)
    return value.isoformat() if isinstance(value, datetime) else value


def encode_cursor(obj: Model, ordering: tuple[str, ...]) -> str:
    values = [_value_of(obj, f.lstrip("-")) for f in ordering]
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(model: type[Model], cursor: str, ordering: tuple[str, ...]) -> list:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadCursor("cursor is not valid") from exc
    if not isinstance(values, list) or len(values) != len(ordering):
        raise BadCursor("cursor does not fit this ordering")
    parsed = []
    for field_name, value in zip(ordering, values, strict=True):
        field = model._meta.get_field(field_name.lstrip("-"))
        if value is None:  # sort keys are never null; None cannot be compared against
            raise BadCursor("cursor value is missing")
        try:
            parsed.append(field.to_python(value))
        except Exception as exc:  # field validation errors of any kind mean a forged cursor
            raise BadCursor("cursor value is not valid") from exc
    return parsed


def _after(ordering: tuple[str, ...], values: list) -> Q:
    """Rows strictly after VALUES in ORDERING, written as `a <= x AND (a < x OR ...)`.

    The leading `<=` lets the database seek the index instead of scanning from the top.
    """
    field, *rest = ordering
    name = field.lstrip("-")
    op_strict, op_loose = ("lt", "lte") if field.startswith("-") else ("gt", "gte")
    if not rest:
        return Q(**{f"{name}__{op_strict}": values[0]})
    return Q(**{f"{name}__{op_loose}": values[0]}) & (
        Q(**{f"{name}__{op_strict}": values[0]}) | _after(tuple(rest), values[1:])
    )


def seek(queryset: QuerySet[T], ordering: tuple[str, ...], cursor: str | None) -> QuerySet[T]:
    """QUERYSET in ORDERING, from just after CURSOR on. Raises BadCursor for a forged cursor."""
    qs = queryset.order_by(*ordering)
    if cursor:
        qs = qs.filter(_after(ordering, decode_cursor(queryset.model, cursor, ordering)))
    return qs


def paginate(
    queryset: QuerySet[T], ordering: tuple[str, ...], cursor: str | None, size: int
) -> Page[T]:
    """One page of QUERYSET in ORDERING, after CURSOR. Raises BadCursor for a forged cursor."""
    rows = list(seek(queryset, ordering, cursor)[: size + 1])
    next_cursor = encode_cursor(rows[size - 1], ordering) if len(rows) > size else None
    return Page(rows[:size], next_cursor)


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> int:
    """Count at most CAP rows: a bounded query even on a million-row table."""
    return queryset.order_by()[:cap].count()


def format_count(n: int, cap: int = COUNT_CAP) -> str:
    return f"{cap - 1}+" if n >= cap else str(n)
