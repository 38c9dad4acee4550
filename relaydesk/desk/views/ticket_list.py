"""The ticket list: views (mine, unassigned, open, all), filters, search, keyset pages."""

from dataclasses import dataclass

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_htmx.http import HttpResponseClientRedirect

from relaydesk.accounts.models import MAX_TIER, Queue, User
from relaydesk.core.pagination import BadCursor, format_count
from relaydesk.desk import due
from relaydesk.desk.counts import cached_capped_counts
from relaydesk.desk.forms import SORT_LABELS, ListFilterForm
from relaydesk.desk.rows import present
from relaydesk.desk.views.access import agent_required
from relaydesk.tickets import queries
from relaydesk.tickets.models import Ticket, TicketType

OPEN = [str(s) for s in Ticket.OPEN_STATUSES]
VIEW_TITLES = {
    "mine": gettext_lazy("My tickets"),
    "unassigned": gettext_lazy("Unassigned"),
    "open": gettext_lazy("All open"),
    "all": gettext_lazy("All tickets"),
}


@dataclass
class DeskFilter(queries.TicketFilter):
    """TicketFilter plus "in any of these queues" (the unassigned view of an agent)."""

    queue_ids: list[int] | None = None

    def apply(self, qs):
        qs = super().apply(qs)
        if self.queue_ids is not None:
            qs = qs.filter(queue_id__in=self.queue_ids)
        return qs


@dataclass
class NavEntry:
    label: str
    url: str
    count: str
    current: bool = False


def sidebar_queues(user: User) -> list[Queue]:
    """The queues in the sidebar and the queue filter: the agent's own, or all for managers."""
    qs = Queue.objects.filter(is_active=True)
    if not user.sees_all_tickets:
        qs = qs.filter(id__in=user.queue_ids())
    return list(qs.order_by("name"))


def view_filter(user: User, view: str) -> DeskFilter:
    if view == "mine":
        return DeskFilter(statuses=list(OPEN), assignee_id=user.pk)
    if view == "unassigned":
        mine = None if user.sees_all_tickets else list(user.queue_ids())
        return DeskFilter(statuses=list(OPEN), unassigned=True, queue_ids=mine)
    if view == "all":
        return DeskFilter()
    return DeskFilter(statuses=list(OPEN))


def build_filter(user: User, data: dict) -> DeskFilter:
    """The view's filter narrowed by the form's filters (an explicit status set replaces it)."""
    filters = view_filter(user, data.get("view") or "open")
    if data.get("status"):
        filters.statuses = list(data["status"])
    if data.get("queue"):
        filters.queue_id = int(data["queue"])
    if data.get("tier"):
        filters.tier = int(data["tier"])
    if data.get("priority"):
        filters.priority = int(data["priority"])
    if data.get("type"):
        filters.type_id = int(data["type"])
    assignee = data.get("assignee")
    if assignee == "me":
        filters.assignee_id, filters.unassigned = user.pk, False
    elif assignee == "none":
        filters.assignee_id, filters.unassigned = None, True
    elif assignee:
        filters.assignee_id, filters.unassigned = int(assignee), False
    return filters


def _nav(user: User, queues: list[Queue], params) -> dict[str, list[NavEntry]]:
    """Sidebar entries with capped counts, all counted in one query."""
    base = reverse("desk:list")
    visible = queries.visible_tickets(user)
    current = {k: params.getlist(k) for k in ("view", "queue", "status", "tier")}
    only_view = not any(current[k] for k in ("queue", "status", "tier"))
    groups: dict[str, list[tuple[str, str, object, bool]]] = {
        "views": [
            (
                VIEW_TITLES[v],
                f"{base}?view={v}",
                view_filter(user, v),
                only_view and (current["view"] or ["open"]) == [v],
            )
            for v in ("mine", "unassigned", "open")
        ],
        "queues": [
            (
                q.name,
                f"{base}?queue={q.pk}",
                DeskFilter(statuses=list(OPEN), queue_id=q.pk),
                current["queue"] == [str(q.pk)],
            )
            for q in queues
        ],
        "statuses": [
            (
                label,
                f"{base}?view=all&status={value}",
                DeskFilter(statuses=[value]),
                current["status"] == [value],
            )
            for value, label in Ticket.Status.choices
        ],
        "tiers": [
            (
                _("Tier %(tier)d") % {"tier": t},
                f"{base}?tier={t}",
                DeskFilter(statuses=list(OPEN), tier=t),
                current["tier"] == [str(t)],
            )
            for t in range(1, MAX_TIER + 1)
        ],
    }
    flat = [entry for entries in groups.values() for entry in entries]
    # What the counts depend on: the viewer, its role and queues, and the entries listed.
    scope = f"{user.pk}:{user.role}:{sorted(user.queue_ids())}:{[q.pk for q in queues]}"
    counts = iter(
        cached_capped_counts(
            scope, lambda: [f.apply(visible) for _l, _u, f, _c in flat], size=len(flat)
        )
    )
    return {
        name: [NavEntry(lbl, url, format_count(next(counts)), cur) for lbl, url, _f, cur in rows]
        for name, rows in groups.items()
    }


def _title(data: dict) -> str:
    if data.get("q"):
        return _("Search results")
    return VIEW_TITLES.get(data.get("view") or "open", VIEW_TITLES["open"])


def _list_url(params) -> str:
    query = params.urlencode()
    return f"{reverse('desk:list')}?{query}" if query else reverse("desk:list")


@agent_required
def ticket_list(request):
    user = request.user
    params = request.GET
    q = (params.get("q") or "").strip()
    number = queries.parse_number(q) if q else None
    if number is not None and queries.visible_tickets(user).filter(number=number).exists():
        url = reverse("desk:ticket", args=[number])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)

    queues = sidebar_queues(user)
    types = list(TicketType.objects.filter(is_active=True))
    assignee_raw = params.get("assignee") or ""
    assignee_user = (
        User.objects.filter(pk=int(assignee_raw)).exclude(role=User.Role.CUSTOMER).first()
        if assignee_raw.isdigit()
        else None
    )
    form_data = params
    if q and not params.get("view"):
        # A keyword search looks through every status unless a view narrows it.
        form_data = params.copy()
        form_data["view"] = "all"
    form = ListFilterForm(form_data, queues=queues, types=types, assignee_user=assignee_user)
    data = form.valid_data()
    filters = build_filter(user, data)
    cursor = params.get("cursor") or None
    sort = data.get("sort") or queries.DEFAULT_SORT
    try:
        if q:
            if cursor and not cursor.isdigit():
                raise BadCursor("cursor is not valid")
            page = queries.search_tickets(user, q, filters, cursor=cursor, size=settings.PAGE_SIZE)
        elif sort == due.DUE_SORT:
            page = due.due_page(user, filters, cursor, settings.PAGE_SIZE)
        else:
            page = queries.list_tickets(
                user, filters, sort=sort, cursor=cursor, size=settings.PAGE_SIZE
            )
        if sort != due.DUE_SORT or q:
            due.attach_due(page.items)  # the SLA clocks of the whole page in one query
    except BadCursor:
        first = params.copy()
        first.pop("cursor", None)
        return render(request, "desk/bad_cursor.html", {"first_url": _list_url(first)}, status=400)

    first_params = params.copy()
    first_params.pop("cursor", None)
    next_params = first_params.copy()
    if page.next_cursor:
        next_params["cursor"] = page.next_cursor
    context = {
        "form": form,
        "page": page,
        "tickets": present(page.items),
        "title": _title(data),
        "query": q,
        "sort_label": SORT_LABELS.get(sort, ""),
        "first_url": _list_url(first_params),
        "next_url": _list_url(next_params),
        "is_first_page": not cursor,
    }
    if request.htmx and request.htmx.target == "ticket-results":
        if not request.htmx.history_restore_request:
            return render(request, "desk/_ticket_results.html", {**context, "partial": True})
    context["nav"] = _nav(user, queues, params)
    return render(request, "desk/ticket_list.html", context)
