from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "relaydesk.core"
    label = "core"

    def ready(self) -> None:
        from relaydesk.core import checks, tasks  # noqa: F401  (registers checks, tasks, jobs)
