"""Deployment checks of our own, shown by `relaydesk check --deploy`."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def site_address(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if settings.SITE_URL or "*" not in settings.ALLOWED_HOSTS:
        return []
    return [
        checks.Warning(
            "Any Host header is accepted and RELAYDESK_URL is not set: a password reset "
            "requested with a forged Host would mail a link to someone else's site.",
            hint="Set RELAYDESK_URL=https://your-help-desk (or RELAYDESK_ALLOWED_HOSTS).",
            id="relaydesk.W001",
        )
    ]
