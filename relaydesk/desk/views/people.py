"""Search-on-demand suggestions for the share and escalate inputs: at most ten people."""

from django.db.models import Q
from django.shortcuts import render

from relaydesk.accounts.models import User
from relaydesk.desk.views.access import agent_required
from relaydesk.tickets import queries

MAX_PEOPLE = 10
MIN_QUERY = 2


@agent_required
def people(request):
    """Agents matching `q`, plus customers of the ticket's organization when `ticket` is given.

    `scope=agents` leaves customers out (escalating goes to an agent).
    """
    # The inputs send their own names (email, agent) as they are typed.
    raw = request.GET.get("q") or request.GET.get("email") or request.GET.get("agent")
    q = (raw or "").strip()
    matches: list[User] = []
    if len(q) >= MIN_QUERY:
        who = Q(role__in=[User.Role.AGENT, User.Role.SUPERVISOR, User.Role.ADMIN])
        number = queries.parse_number(request.GET.get("ticket") or "")
        if number is not None and request.GET.get("scope") != "agents":
            ticket = queries.get_ticket(request.user, number)
            if ticket.organization_id is not None:
                who |= Q(role=User.Role.CUSTOMER, organization_id=ticket.organization_id)
        matches = list(
            User.objects.filter(who, is_active=True)
            .filter(Q(email__icontains=q) | Q(full_name__icontains=q))
            .order_by("email")[:MAX_PEOPLE]
        )
    return render(request, "desk/_people_options.html", {"people": matches})
