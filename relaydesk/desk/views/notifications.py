"""The in-app notification centre: the list, the polled unread badge, marking read.

The header polls `notifications_poll` every few seconds (htmx). Its body is the unread badge;
unread urgent notifications ride along in an `HX-Trigger` header (event `relaydesk:urgent`)
that desk/alerts.js turns into an on-page alert and, when allowed, a browser notification.
Reading never marks anything: that is a POST.
"""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from relaydesk.core.pagination import format_count
from relaydesk.desk import forms
from relaydesk.desk.views.access import agent_required
from relaydesk.desk.views.availability import safe_next
from relaydesk.notifications import services

PAGE_SIZE = 50
# How far back the poll looks for urgent alerts; the browser remembers which it has shown.
URGENT_WINDOW = 20


@agent_required
@require_GET
def notification_list(request):
    user = request.user
    items = list(services.recent(user, PAGE_SIZE))
    context = {
        "notifications": items,
        "unread": sum(1 for n in items if n.read_at is None),
    }
    return render(request, "desk/notifications.html", context)


def urgent_alerts(user) -> list[dict]:
    return [
        {"id": n.pk, "title": n.title, "url": n.url}
        for n in services.recent(user, URGENT_WINDOW)
        if n.urgent and n.read_at is None
    ]


@require_GET
def notifications_poll(request):
    """The unread badge (two queries: the count and the recent urgent ones)."""
    if request.htmx and not request.user.is_authenticated:
        # The session ended: 286 tells htmx to stop polling instead of swapping in a login page.
        return HttpResponse(status=286)
    return _badge(request)


@agent_required
def _badge(request):
    count = services.unread_count(request.user)
    response = render(
        request,
        "desk/_notification_badge.html",
        {"unread": count, "unread_label": format_count(count)},
    )
    alerts = urgent_alerts(request.user)
    if alerts:
        trigger_client_event(response, "relaydesk:urgent", {"alerts": alerts})
    response["Cache-Control"] = "no-store"
    return response


@agent_required
@require_POST
def mark_read(request):
    """Mark one notification (`id`) or, without one, all of the agent's notifications read."""
    notification_id = forms.selected_id(request.POST, "id")
    if notification_id is None and request.POST.get("id"):
        return redirect(safe_next(request, "desk:notifications"))
    services.mark_read(request.user, notification_id)
    return redirect(safe_next(request, "desk:notifications"))
