"""`relaydesk mail listen`: an LMTP (or SMTP) server so an MTA can deliver straight in.

The reply to DATA is sent only after the raw message is committed: a 250 means it is safe,
and anything that could not be stored gets a temporary failure so the MTA tries again.
"""

import asyncio
import logging
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from django.conf import settings
from django.db import connections

from relaydesk.mail.ingest import ingest
from relaydesk.mail.models import Mailbox

logger = logging.getLogger(__name__)
ACCEPTED = "250 2.0.0 Message accepted for delivery"
TRY_LATER = "451 4.3.0 Message not stored, try again later"


class DeliveryHandler:
    def __init__(self, *, lmtp: bool, default_mailbox: Mailbox | None = None):
        self.lmtp = lmtp
        self.default_mailbox = default_mailbox

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd hook)
        raw = envelope.original_content or envelope.content
        loop = asyncio.get_running_loop()
        # The ORM is synchronous: store and process in a worker thread.
        status = await loop.run_in_executor(
            None, self.deliver, raw, envelope.mail_from or "", list(envelope.rcpt_tos)
        )
        if self.lmtp:  # LMTP answers once per recipient
            return "\r\n".join([status] * max(1, len(envelope.rcpt_tos)))
        return status

    def deliver(self, raw: bytes, mail_from: str, recipients: list[str]) -> str:
        try:
            mailbox = (
                Mailbox.objects.filter(address__in=[r.lower() for r in recipients]).first()
                or self.default_mailbox
            )
            ingest(raw, mailbox=mailbox, envelope_sender=mail_from)
        except Exception:
            logger.exception("could not store a message from %s", mail_from)
            return TRY_LATER
        finally:
            # The event loop's executor threads come and go unseen: a connection left open in
            # one would hold its database session until the process ends. One connection per
            # delivered message costs less than an SMTP conversation does.
            connections.close_all()
        return ACCEPTED


class _Controller(Controller):
    def __init__(self, handler: DeliveryHandler, **kwargs):
        super().__init__(handler, **kwargs)
        self.delivery_handler = handler

    def factory(self):
        server_class = LMTP if self.delivery_handler.lmtp else SMTP
        return server_class(
            self.handler,
            data_size_limit=settings.MAIL_MAX_MESSAGE_BYTES,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname=self.SMTP_kwargs.get("hostname"),
        )


def start(host: str, port: int, *, lmtp: bool = True, default_mailbox: Mailbox | None = None):
    """Start the listener in a background thread; returns the controller (call .stop())."""
    handler = DeliveryHandler(lmtp=lmtp, default_mailbox=default_mailbox)
    controller = _Controller(handler, hostname=host, port=port)
    controller.start()
    return controller


def serve(host: str, port: int, *, lmtp: bool, default_mailbox: Mailbox | None, out) -> None:
    controller = start(host, port, lmtp=lmtp, default_mailbox=default_mailbox)
    out.write(f"Listening for {'LMTP' if lmtp else 'SMTP'} on {host}:{port} (Ctrl+C stops).")
    stop = threading.Event()
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
