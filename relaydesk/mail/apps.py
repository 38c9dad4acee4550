from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    """The email channel: inbound parsing and threading, mailboxes, listener, outbound mail."""

    name = "relaydesk.mail"
    label = "mail"
    verbose_name = _("Email")

    def ready(self) -> None:
        # Registers the outbound subscribers and the periodic polling/retry tasks.
        from django.db.models.signals import post_delete, post_save

        from relaydesk.accounts.models import Queue
        from relaydesk.core.files import delete_files_with_rows
        from relaydesk.mail import display, outbound, tasks  # noqa: F401
        from relaydesk.mail.models import InboundMail
        from relaydesk.tickets.queries import register_timeline_decorator

        register_timeline_decorator(display.decorate_timeline)
        delete_files_with_rows(InboundMail)
        from relaydesk.mail.models import Mailbox, forget_own_addresses

        for model in (Queue, Mailbox):
            post_save.connect(forget_own_addresses, sender=model, dispatch_uid=f"mail-own-{model}")
            post_delete.connect(forget_own_addresses, sender=model,
                                dispatch_uid=f"mail-own-del-{model}")  # fmt: skip
