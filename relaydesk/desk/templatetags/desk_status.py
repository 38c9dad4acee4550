"""The agent's own state for the desk header, read only when the header is drawn."""

from django import template

from relaydesk.routing import services

register = template.Library()


@register.simple_tag
def agent_is_away(user) -> bool:
    return user.is_authenticated and user.is_agent and services.is_away(user)
