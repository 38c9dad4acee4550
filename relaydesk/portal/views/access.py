"""Who may use which portal page."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from relaydesk.accounts.models import User
from relaydesk.tickets.models import Ticket


def customer_only(view):
    """Signed-in customers only: anonymous visitors go to sign-in, agents to the desk.

    Agents are redirected rather than refused because they reach portal links (a customer
    pastes one, a notification carries one) and belong in the desk, where the ticket has its
    full view; a request's page sends them to the same ticket there. Nothing is changed for
    them, whatever the method.
    """

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if request.user.is_agent:
            if request.method == "GET" and "number" in kwargs:
                return redirect("desk:ticket", number=kwargs["number"])
            return redirect("desk:list")
        return view(request, *args, **kwargs)

    return wrapped


def may_see_organization(user: User) -> bool:
    """Whether the customer gets the organization tab (same rule as queries.visible_tickets)."""
    org = user.organization
    return org is not None and (user.is_org_manager or org.members_see_all_tickets)


def may_change_status(user: User, ticket: Ticket) -> bool:
    """Close / reopen is for the requester and the organization's manager.

    Mirrors the check in services.change_status, which remains the one that decides.
    """
    return ticket.requester_id == user.pk or (
        user.is_org_manager and ticket.organization_id == user.organization_id
    )
