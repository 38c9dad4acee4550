"""Read paths for the UI and the API: always filtered by what the viewer may see.

Every function that returns tickets starts from `visible_tickets(user)`, and every page of
tickets comes from keyset pagination on an index, so no list grows with the table.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import chain

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from relaydesk.accounts.models import User
from relaydesk.core import search
from relaydesk.core.pagination import Page, decode_cursor, encode_cursor, paginate, seek
from relaydesk.tickets.models import Attachment, Event, Message, Ticket, TicketShare

SORTS: dict[str, tuple[str, ...]] = {
    "updated": ("-updated_at", "-id"),
    "oldest": ("updated_at", "id"),
    "created": ("-created_at", "-id"),
    "priority": ("-priority", "-updated_at", "-id"),
}
DEFAULT_SORT = "updated"
SEARCH_BATCH = 500
SEARCH_MAX_BATCHES = 20


def visible_tickets(user: User) -> QuerySet[Ticket]:
    """The tickets USER may see.

    Admins and supervisors: all. Agents: their queues' tickets, tickets assigned to them and
    tickets shared with them. Customers: their own, those shared with them, and their
    organization's when they manage it or the organization allows it.
    """
    qs = Ticket.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.sees_all_tickets:
        return qs
    shared = TicketShare.objects.filter(user=user).values("ticket_id")
    if user.is_agent:
        return qs.filter(Q(queue_id__in=user.queue_ids()) | Q(assignee=user) | Q(id__in=shared))
    condition = Q(requester=user) | Q(id__in=shared)
    org = user.organization
    if org is not None and (user.is_org_manager or org.members_see_all_tickets):
        condition |= Q(organization_id=org.id)
    return qs.filter(condition)


def with_list_columns(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """What a list row shows, in one query: no per-row lookups."""
    return qs.select_related("queue", "requester", "assignee", "ticket_type", "organization")


_REFERENCE = re.compile(r"^\s*(?:[A-Za-z]+-)?(\d{1,18})\s*$")


def parse_number(value: str) -> int | None:
    """'RD-1042', 'rd-1042' or '1042' -> 1042."""
    match = _REFERENCE.match(value or "")
    return int(match.group(1)) if match else None


def get_ticket(user: User, number: int) -> Ticket:
    """The ticket numbered NUMBER if USER may see it; 404 otherwise (never 403: no leak)."""
    ticket = (
        with_list_columns(visible_tickets(user))
        .select_related("organization", "follow_up_of")
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise Http404("No such ticket")
    return ticket


def get_attachment(user: User, attachment_id: int) -> Attachment:
    """An attachment of a ticket USER may see; internal-note files only for agents."""
    attachment = (
        Attachment.objects.select_related("message", "ticket")
        .filter(id=attachment_id, ticket__in=visible_tickets(user))
        .first()
    )
    if attachment is None or (attachment.is_internal and not user.is_agent):
        raise Http404("No such attachment")
    return attachment


@dataclass
class TicketFilter:
    """The filters of a ticket list; every field is optional."""

    statuses: list[str] = field(default_factory=list)
    queue_id: int | None = None
    tier: int | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    priority: int | None = None
    type_id: int | None = None
    requester_id: int | None = None
    organization_id: int | None = None

    def apply(self, qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.statuses:
            qs = qs.filter(status__in=self.statuses)
        if self.queue_id is not None:
            qs = qs.filter(queue_id=self.queue_id)
        if self.tier is not None:
            qs = qs.filter(tier=self.tier)
        if self.unassigned:
            qs = qs.filter(assignee__isnull=True)
        elif self.assignee_id is not None:
            qs = qs.filter(assignee_id=self.assignee_id)
        if self.priority is not None:
            qs = qs.filter(priority=self.priority)
        if self.type_id is not None:
            qs = qs.filter(ticket_type_id=self.type_id)
        if self.requester_id is not None:
            qs = qs.filter(requester_id=self.requester_id)
        if self.organization_id is not None:
            qs = qs.filter(organization_id=self.organization_id)
        return qs


def list_tickets(
    user: User,
    filters: TicketFilter | None = None,
    *,
    sort: str = DEFAULT_SORT,
    cursor: str | None = None,
    size: int = 50,
) -> Page[Ticket]:
    """One page of the tickets USER may see, filtered and sorted. Raises BadCursor."""
    ordering = SORTS.get(sort, SORTS[DEFAULT_SORT])
    statuses = _statuses_to_merge(user, filters, sort)
    if statuses:
        return _merged_page(user, filters, statuses, ordering, cursor, size)
    qs = visible_tickets(user)
    if filters:
        qs = filters.apply(qs)
    return paginate(with_list_columns(qs), ordering, cursor, size)


def _statuses_to_merge(user: User, filters: TicketFilter | None, sort: str) -> list[str]:
    """The statuses to read as one index range each, or [] when one plain query does well.

    An agent's list over several statuses (the open view; every status) in (updated_at, id)
    order otherwise makes SQLite collect and sort every matching row to show the first 50:
    ~30,000 rows for the open view at a million tickets, and all of them for "all". One
    status is one range of an index ending in (updated_at, id) (tk_status, tk_queue,
    tk_assignee, tk_tier), already in order; by priority, one such range per status and
    priority (few rows of a range are passed over: every priority is common enough); newest
    first, a range of tk_status_created.
    Customers' lists are narrowed by requester or organization first, which is the better
    way in for them.
    """
    if not user.is_agent or sort not in ("updated", "oldest", "priority", "created"):
        return []
    if filters and (filters.requester_id is not None or filters.organization_id is not None):
        return []
    statuses = list(filters.statuses) if filters and filters.statuses else Ticket.Status.values
    return list(statuses) if len(statuses) > 1 else []


def _merged_page(
    user: User,
    filters: TicketFilter | None,
    statuses: list[str],
    ordering: tuple[str, ...],
    cursor: str | None,
    size: int,
) -> Page[Ticket]:
    """One page merged from the first SIZE + 1 rows of each status, in a single query."""
    base = visible_tickets(user)
    if filters:
        base = replace(filters, statuses=[]).apply(base)
    parts, params = [], []
    for i, (subset, sub_ordering, sub_cursor) in enumerate(
        _ranges(base, statuses, ordering, cursor)
    ):
        part = seek(subset, sub_ordering, sub_cursor).values("id")[: size + 1]
        sql, part_params = part.query.sql_with_params()
        parts.append(f"SELECT id FROM ({sql}) AS part{i}")  # noqa: S608
        params.extend(part_params)
    # Every part is SQL compiled by Django from the ORM; every value stays a parameter.
    if not parts:
        return Page([], None)
    ids = RawSQL(" UNION ALL ".join(parts), params)  # noqa: S611
    qs = with_list_columns(Ticket.objects.filter(id__in=ids)).order_by(*ordering)
    rows = list(qs[: size + 1])
    next_cursor = encode_cursor(rows[size - 1], ordering) if len(rows) > size else None
    return Page(rows[:size], next_cursor)


def _ranges(base: QuerySet, statuses: list[str], ordering: tuple[str, ...], cursor: str | None):
    """(rows, ordering, cursor) of each index range to merge: one per status, and per
    priority too when ORDERING leads with priority. Within one priority the order is the
    rest of ORDERING, and the cursor's priority says where each range starts: a higher one
    is done, the same one goes on after the cursor, a lower one starts from its top."""
    if ordering[0].lstrip("-") != "priority":
        return [(base.filter(status=status), ordering, cursor) for status in statuses]
    rest = ordering[1:]
    at = decode_cursor(Ticket, cursor, ordering) if cursor else None
    descending = ordering[0].startswith("-")
    ranges = []
    for priority in Ticket.Priority.values:
        if at is not None and priority != at[0] and (priority > at[0]) == descending:
            continue  # shown in full already
        start = None
        if at is not None and priority == at[0]:
            start = encode_cursor(Ticket(**dict(zip(_names(rest), at[1:], strict=True))), rest)
        for status in statuses:
            ranges.append((base.filter(status=status, priority=priority), rest, start))
    return ranges


def _names(ordering: tuple[str, ...]) -> list[str]:
    return [name.lstrip("-") for name in ordering]


def search_tickets(
    user: User,
    query: str,
    filters: TicketFilter | None = None,
    *,
    cursor: str | None = None,
    size: int = 50,
) -> Page[Ticket]:
    """Tickets USER may see that match QUERY (full text, or a ticket number), newest first.

    The full-text index hands over candidate ids in batches, newest first; each batch is
    filtered by visibility in the database, until a page is full. Customers match on subjects
    only, so an internal note can never make a ticket turn up for them.
    """
    base = visible_tickets(user)
    if filters:
        base = filters.apply(base)
    before_id = int(cursor) if cursor and cursor.isdigit() else None
    found: list[int] = []  # ids only: the rows of the page are fetched once, at the end
    number = parse_number(query)
    if number is not None and before_id is None:
        found.extend(base.filter(number=number).values_list("id", flat=True))
    exhausted = False
    for _ in range(SEARCH_MAX_BATCHES):
        ids = search.matching_ticket_ids(
            query, before_id=before_id, limit=SEARCH_BATCH, subject_only=not user.is_agent
        )
        if ids:
            batch = base.filter(id__in=ids)
            if number is not None:
                batch = batch.exclude(number=number)
            visible = set(batch.values_list("id", flat=True))
            found.extend(i for i in ids if i in visible)
            before_id = ids[-1]
        if len(ids) < SEARCH_BATCH:
            exhausted = True
            break
        if len(found) > size:
            break
    page_ids = found[:size]
    rows = with_list_columns(Ticket.objects.filter(id__in=page_ids)).in_bulk() if page_ids else {}
    items = [rows[i] for i in page_ids]
    if len(found) > size:
        next_cursor = str(page_ids[-1])
    elif not exhausted and before_id is not None:
        # Scanned the batch budget without filling the page: let the user go on from there.
        next_cursor = str(before_id)
    else:
        next_cursor = None
    return Page(items, next_cursor)


@dataclass
class TimelineEntry:
    kind: str  # "message" or "event"
    created_at: object
    item: Message | Event


def timeline(user: User, ticket: Ticket) -> list[TimelineEntry]:
    """The ticket's messages and audit events, oldest first, as USER may see them.

    Three queries whatever the length: messages (with authors), their attachments, events.
    Customers see public messages and status changes, never internal notes.
    """
    messages = (
        Message.objects.filter(ticket=ticket)
        .select_related("author")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at"))
        )
        .order_by("created_at", "id")
    )
    events = Event.objects.filter(ticket=ticket).select_related("actor").order_by("created_at")
    if not user.is_agent:
        messages = messages.filter(is_internal=False)
        events = events.filter(kind__in=[Event.Kind.STATUS, Event.Kind.CREATED])
    entries = chain(
        (TimelineEntry("message", m.created_at, m) for m in messages),
        (TimelineEntry("event", e.created_at, e) for e in events),
    )
    return sorted(entries, key=lambda e: (e.created_at, e.kind != "event"))


# Channels add what only they know to a timeline (email: folded quotes, inline images,
# delivery status) without the UIs importing them: they register a decorator here.
TimelineDecorator = Callable[..., None]
_timeline_decorators: list[TimelineDecorator] = []


def register_timeline_decorator(decorator: TimelineDecorator) -> None:
    """DECORATOR(entries, viewer=..., attachment_url=...) annotates messages in place."""
    if decorator not in _timeline_decorators:
        _timeline_decorators.append(decorator)


def decorate_timeline(entries: list, *, viewer: User, attachment_url: str) -> None:
    """Let every registered channel annotate ENTRIES for VIEWER; ATTACHMENT_URL names the
    UI's download view (e.g. "desk:attachment")."""
    for decorator in _timeline_decorators:
        decorator(entries, viewer=viewer, attachment_url=attachment_url)


def loose_attachments(user: User, ticket: Ticket) -> list[Attachment]:
    """Files added to the ticket outside any message."""
    return list(ticket.attachments.filter(message__isnull=True).order_by("created_at"))


def shares(ticket: Ticket) -> list[TicketShare]:
    return list(ticket.shares.select_related("user").order_by("created_at"))
