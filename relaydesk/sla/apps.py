from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "relaydesk.sla"
    label = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from relaydesk.sla import subscribers, tasks  # noqa: F401  (registers subscribers)
