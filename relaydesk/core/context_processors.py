from django.conf import settings


def site(request):
    return {"site_name": "Relaydesk", "ticket_prefix": settings.TICKET_PREFIX}
