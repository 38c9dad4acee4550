"""An agent marks itself away (no automatic assignment) or available again: a POST."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relaydesk.desk.views.access import agent_required
from relaydesk.routing import services


def safe_next(request, default: str) -> str:
    """The `next` field of the POST if it points into this site, else the DEFAULT url name."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


@agent_required
@require_POST
def set_availability(request):
    away = request.POST.get("away") == "1"
    services.set_away(request.user, away)
    if away:
        messages.success(request, _("You are marked away: no new tickets are assigned to you."))
    else:
        messages.success(request, _("You are available again."))
    return redirect(safe_next(request, "desk:list"))
