from django.apps import AppConfig


class RuntimeConfig(AppConfig):
    """Running Relaydesk: `serve`, the scheduler process and the demo data."""

    name = "relaydesk.runtime"
    label = "runtime"
