from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "relaydesk.routing"
    label = "routing"
    verbose_name = _("Routing")

    def ready(self) -> None:
        from relaydesk.routing import subscribers  # noqa: F401  (registers subscribers)
