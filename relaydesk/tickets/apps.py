from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "relaydesk.tickets"
    label = "tickets"
    verbose_name = "Tickets"

    def ready(self) -> None:
        from relaydesk.core.files import delete_files_with_rows
        from relaydesk.tickets import subscribers  # noqa: F401  (registers subscribers)
        from relaydesk.tickets.models import Attachment

        delete_files_with_rows(Attachment)
