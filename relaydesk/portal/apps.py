from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "relaydesk.portal"
    label = "portal"
