"""Routing's own writes: an agent's availability and skills."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from relaydesk.accounts.models import User
from relaydesk.routing.models import AgentProfile


def profile_for(user: User) -> AgentProfile:
    profile, _created = AgentProfile.objects.get_or_create(user=user)
    return profile


def set_away(user: User, away: bool) -> AgentProfile:
    """An agent marks itself away (no automatic assignment while away) or back."""
    if not user.is_agent:
        raise PermissionDenied(_("Only agents can mark themselves away."))
    profile = profile_for(user)
    if profile.away != away:
        profile.away = away
        profile.away_since = timezone.now() if away else None
        profile.save(update_fields=["away", "away_since"])
    return profile


def is_away(user: User) -> bool:
    return AgentProfile.objects.filter(user=user, away=True).exists()
