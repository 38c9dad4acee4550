from django import template

from relaydesk.tickets.models import Ticket

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    """'in_progress' -> 'In progress' (audit events store raw status values)."""
    try:
        return Ticket.Status(value).label
    except ValueError:
        return value
