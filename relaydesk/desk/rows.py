"""Ready-to-print values for the rows of a ticket list.

Rendering fifty rows through template filters costs more than the query that fetched them
(each `get_status_display` resolves a lazy translation, each `|date` converts time zones,
each `{% url %}` walks the resolver). Here every label is translated once per request, the
URL pattern is reversed once, and each timestamp is converted once.
"""

from django.urls import reverse
from django.utils import timezone

from relaydesk.tickets.models import Ticket

_PLACEHOLDER = 987654321


def present(tickets: list[Ticket]) -> list[Ticket]:
    """Set `url`, `status_label`, `priority_label`, `updated_iso`, `updated_text` on each."""
    statuses = {value: str(label) for value, label in Ticket.Status.choices}
    priorities = {value: str(label) for value, label in Ticket.Priority.choices}
    url = reverse("desk:ticket", args=[_PLACEHOLDER]).replace(str(_PLACEHOLDER), "{}")
    zone = timezone.get_current_timezone()
    for ticket in tickets:
        ticket.url = url.format(ticket.number)
        ticket.status_label = statuses.get(ticket.status, ticket.status)
        ticket.priority_label = priorities.get(ticket.priority, ticket.priority)
        local = ticket.updated_at.astimezone(zone)
        ticket.updated_iso = local.isoformat()
        ticket.updated_text = local.strftime("%Y-%m-%d %H:%M")
    return tickets
