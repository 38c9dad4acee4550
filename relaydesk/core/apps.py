from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "relaydesk.core"
    label = "core"

    def ready(self) -> None:
        from relaydesk.core import tasks  # noqa: F401  (registers tasks and periodic jobs)
