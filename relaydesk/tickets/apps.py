from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "relaydesk.tickets"
    label = "tickets"
    verbose_name = "Tickets"

    def ready(self) -> None:
        from relaydesk.tickets import subscribers  # noqa: F401  (registers subscribers)
