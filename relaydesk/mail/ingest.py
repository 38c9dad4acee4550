"""Inbound mail: store the raw message first, then turn it into a ticket or a reply.

Every way in (`relaydesk mail ingest`, polled mailboxes, the LMTP/SMTP listener) calls
`ingest()`. Nothing is lost: the raw bytes are committed before any processing, a second
delivery of the same Message-ID changes nothing, a message left half-done by a crash is
processed again by `retry_unprocessed()`, and one that cannot be processed is quarantined
with its error for an admin to retry.
"""

import logging
import traceback
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connections, router, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from relaydesk.accounts.models import User
from relaydesk.accounts.services import create_customer, find_or_create_customer, user_by_email
from relaydesk.core import fastsql
from relaydesk.mail import conversation, loop
from relaydesk.mail.models import InboundMail, Mailbox, OutboundMail, own_addresses
from relaydesk.mail.parse import ParsedMail, parse
from relaydesk.mail.quotes import quote_offset
from relaydesk.tickets import services
from relaydesk.tickets.models import Message, Ticket

logger = logging.getLogger(__name__)
Status = InboundMail.Status
RETRY_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 5


class MailError(Exception):
    """A message that cannot become a ticket as it is (it goes to quarantine)."""


@dataclass
class Result:
    inbound: InboundMail
    parsed: ParsedMail | None
    duplicate: bool = False

    @property
    def ticket(self) -> Ticket | None:
        return self.inbound.ticket

    def as_json(self) -> dict:
        """The `relaydesk mail ingest --json` object for this message."""
        parsed, inbound = self.parsed, self.inbound
        message = inbound.message
        attachments = (
            [
                {"filename": a.filename, "content_type": a.content_type, "size": a.size}
                for a in message.attachments.order_by("id")
            ]  # fmt: skip
            if message is not None
            else [
                {"filename": a.filename, "content_type": a.content_type, "size": a.size}
                for a in (parsed.attachments if parsed else [])
            ]  # fmt: skip
        )
        return {
            "ticket": inbound.ticket.number if inbound.ticket_id else None,
            "created": inbound.created_ticket and not self.duplicate,
            "duplicate": self.duplicate,
            "status": inbound.status,
            "reason": inbound.reason,
            "subject": parsed.subject if parsed else inbound.subject,
            "from": parsed.from_address if parsed else inbound.sender,
            "body": message.body_text if message is not None else (parsed.text if parsed else ""),
            "attachments": attachments,
        }


def ingest(raw: bytes, *, mailbox: Mailbox | None = None, envelope_sender: str = "") -> Result:
    """Store RAW, then process it. Raises only when the message could not be stored at all."""
    result = receive(raw, mailbox=mailbox, envelope_sender=envelope_sender)
    if not result.duplicate:
        process(result.inbound, parsed=result.parsed)
    elif result.inbound.status == Status.RECEIVED and result.inbound.received_at < (
        timezone.now() - RETRY_AFTER
    ):
        process(result.inbound)  # an earlier delivery died half-way
    return result


def receive(raw: bytes, *, mailbox: Mailbox | None = None, envelope_sender: str = "") -> Result:
    """Commit the raw message (once per Message-ID) before anything else happens to it."""
    try:
        parsed = parse(raw, envelope_sender=envelope_sender)
    except Exception:  # still store it: an admin sees the error in quarantine
        logger.exception("could not parse a message; storing it for quarantine")
        parsed = None
    message_id = parsed.message_id if parsed else _fallback_id(raw)
    # No look-up first: the unique Message-ID decides, below (a second delivery is rare; it
    # costs a file written and removed, where a look-up would cost every message a query).
    inbound = InboundMail(
        mail_id=message_id,
        mailbox=mailbox,
        size=len(raw),
        envelope_sender=envelope_sender[:320],
        sender=(parsed.from_address if parsed else "")[:320],
        subject=(parsed.subject if parsed else "")[:500],
        in_reply_to=" ".join(parsed.in_reply_to)[:998] if parsed else "",
        references=" ".join(parsed.references) if parsed else "",
        attempts=1,
    )
    inbound.store_raw(raw)
    # Outside a transaction the INSERT commits by itself; inside one (a caller's), a savepoint
    # keeps a duplicate's IntegrityError from spoiling the caller's transaction.
    using = router.db_for_write(InboundMail)
    in_transaction = transaction.get_connection(using).in_atomic_block
    try:
        with transaction.atomic(using=using) if in_transaction else nullcontext():
            fastsql.insert([inbound])
    except IntegrityError:  # the same mail arrived twice at once: the other one won
        inbound.raw.delete(save=False)
        return Result(InboundMail.objects.get(mail_id=message_id), parsed, duplicate=True)
    if parsed is None:
        _quarantine(inbound, _("The message could not be parsed."))
    return Result(inbound, parsed)


def _fallback_id(raw: bytes) -> str:
    import hashlib

    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.relaydesk>"


def process(inbound: InboundMail, *, parsed: ParsedMail | None = None) -> InboundMail:
    """Turn a stored message into a ticket or a reply; quarantine it if that fails."""
    try:
        if parsed is None:
            parsed = parse(inbound.read_raw(), envelope_sender=inbound.envelope_sender)
        with transaction.atomic():
            _process(inbound, parsed)
    except Exception as exc:
        logger.warning("quarantined inbound mail %s: %s", inbound.pk, exc)
        _quarantine(inbound, _error_text(exc))
    return inbound


def retry(inbound: InboundMail) -> InboundMail:
    """Process a quarantined, held or rejected message again (the admin's "retry")."""
    InboundMail.objects.filter(pk=inbound.pk).update(attempts=F("attempts") + 1)
    inbound.refresh_from_db()
    inbound.status = Status.RECEIVED
    return process(inbound, parsed=None)


def retry_unprocessed(now=None) -> int:
    """Process again what a crash left behind (received long ago, never finished)."""
    now = now or timezone.now()
    stuck = InboundMail.objects.filter(
        status=Status.RECEIVED, received_at__lt=now - RETRY_AFTER, attempts__lt=MAX_ATTEMPTS
    ).order_by("received_at")[:100]
    count = 0
    for inbound in stuck:
        retry(inbound)
        count += 1
    return count


def _error_text(exc: Exception) -> str:
    if isinstance(exc, MailError | ValidationError | PermissionDenied):
        return str(exc.messages if isinstance(exc, ValidationError) else exc)
    return "".join(traceback.format_exception(exc, limit=-6))[-4000:]


def _quarantine(inbound: InboundMail, reason: str) -> None:
    inbound.status = Status.QUARANTINED
    inbound.reason = reason
    InboundMail.objects.filter(pk=inbound.pk).update(status=inbound.status, reason=reason)


def _finish(inbound: InboundMail, status: str, reason: str = "", **fields) -> None:
    inbound.status = status
    inbound.reason = reason
    inbound.processed_at = timezone.now()
    for name, value in fields.items():
        setattr(inbound, name, value)
    fastsql.update(inbound, ["status", "reason", "processed_at", *fields])


def _process(inbound: InboundMail, parsed: ParsedMail) -> None:
    if inbound.status not in (Status.RECEIVED, Status.QUARANTINED, Status.RATE_LIMITED,
                              Status.REJECTED):  # fmt: skip
        return
    if loop.is_bounce(parsed):
        _handle_bounce(inbound, parsed)
        return
    ours = own_addresses()
    reason = loop.why_ignored(parsed, ours)
    if reason:
        _finish(inbound, Status.IGNORED, reason)
        return
    if not parsed.from_address:
        raise MailError(_("The message names no sender (no From, Reply-To, Sender or envelope "
                          "sender)."))  # fmt: skip
    if inbound.status != Status.RATE_LIMITED and _over_rate_limit(parsed.from_address):
        _finish(inbound, Status.RATE_LIMITED,
                _("More than %(n)d messages from %(sender)s in %(m)d minutes.") % {
                    "n": settings.MAIL_RATE_LIMIT, "sender": parsed.from_address,
                    "m": settings.MAIL_RATE_WINDOW_MINUTES})  # fmt: skip
        return
    mailbox = inbound.mailbox
    sender = user_by_email(parsed.from_address)
    if sender is None:
        if mailbox is not None and mailbox.known_senders_only:
            _finish(inbound, Status.REJECTED,
                    _("%s has no account and this mailbox only accepts known senders.")
                    % parsed.from_address)  # fmt: skip
            return
        sender = create_customer(parsed.from_address, _name_for(parsed))
    elif not sender.is_active:
        raise MailError(_("The account of %s is disabled.") % parsed.from_address)
    body, is_html, uploads = _content(parsed)
    ticket = conversation.find_ticket(parsed)
    message = None
    if ticket is not None:
        try:
            message = services.post_message(ticket, actor=sender, body=body,
                                            channel=Ticket.Channel.EMAIL, attachments=uploads,
                                            body_is_html=is_html)  # fmt: skip
        except PermissionDenied:
            # A stranger quoting someone else's ticket number gets a ticket of their own.
            ticket = None
    if message is None:
        ticket = services.open_ticket(
            actor=sender,
            requester=sender,
            subject=parsed.subject or _("(no subject)"),
            body=body,
            channel=Ticket.Channel.EMAIL,
            queue=mailbox.queue if mailbox else None,
            attachments=uploads,
            body_is_html=is_html,
        )
        message = ticket.opening_message
        created = True
    else:
        created = message.ticket_id != ticket.id  # a closed ticket's reply opens a follow-up
        ticket = message.ticket
    _add_collaborators(ticket, parsed, sender, ours)
    inline = _inline_images(message, parsed)
    _finish(
        inbound,
        Status.PROCESSED,
        ticket=ticket,
        message=message,
        created_ticket=created,
        quote_offset=quote_offset(message.body_text),
        inline_images=inline,
    )


def _name_for(parsed: ParsedMail) -> str:
    return parsed.from_name or parsed.from_address.partition("@")[0]


def _over_rate_limit(address: str) -> bool:
    """Whether ADDRESS already had MAIL_RATE_LIMIT messages processed within the window.

    Asked for every message, so written by hand: the ORM spent several times longer building
    this COUNT than SQLite takes to run it on the partial index inmail_processed_sender. The
    status is in the SQL text, as in the index's condition, so that no planner (nor a
    generic plan of a prepared statement) has to work out from a parameter that it applies.
    """
    limit = settings.MAIL_RATE_LIMIT
    since = timezone.now() - timedelta(minutes=settings.MAIL_RATE_WINDOW_MINUTES)
    connection = connections[router.db_for_read(InboundMail)]
    received_at = InboundMail._meta.get_field("received_at")
    table = connection.ops.quote_name(InboundMail._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} "  # noqa: S608 (name from the model)
            f"WHERE sender = %s AND status = '{Status.PROCESSED.value}' AND received_at >= %s "
            "LIMIT %s) recent",
            [address, received_at.get_db_prep_value(since, connection), limit],
        )
        return cursor.fetchone()[0] >= limit


def _content(parsed: ParsedMail) -> tuple[str, bool, list]:
    """(body, body is HTML, uploads): oversize attachments are left in the raw message."""
    uploads, skipped = [], []
    for attachment in parsed.attachments:
        if attachment.size > settings.MAX_UPLOAD_BYTES:
            skipped.append(attachment)
            continue
        upload = ContentFile(attachment.content, name=attachment.filename)
        upload.content_type = attachment.content_type
        uploads.append(upload)
    body, is_html = (parsed.html, True) if parsed.html else (parsed.text, False)
    if skipped:
        note = _("Too large to attach (kept in the original message): %s") % ", ".join(
            f"{a.filename} ({a.size / 1024 / 1024:.1f} MB)" for a in skipped
        )
        body = f"{body}<p><em>{note}</em></p>" if is_html else f"{body}\n\n[{note}]"
    if not body.strip() and not is_html:
        body = _("(This message has no text.)")
    elif is_html and not parsed.text.strip() and not uploads:
        body = body + "<p>" + _("(This message has no text.)") + "</p>"
    return body, is_html, uploads


def _add_collaborators(ticket: Ticket, parsed: ParsedMail, sender: User, ours: set[str]) -> None:
    """CC'd people (and other To: addresses that are not ours) join the ticket."""
    addresses = [a for a in dict.fromkeys(parsed.cc + parsed.to) if a not in ours]
    for address in addresses:
        if address in (sender.email, ticket.requester.email):
            continue
        try:
            user, _created = find_or_create_customer(address, address.partition("@")[0])
            services.share(ticket, actor=None, user=user)
        except ValidationError as exc:  # another organization's customer, a disabled account
            logger.info("not sharing %s with %s: %s", ticket.reference, address, exc)


def _inline_images(message: Message, parsed: ParsedMail) -> dict[str, int]:
    """content-id -> attachment id, so `cid:` images in the HTML can be shown."""
    with_ids = [a for a in parsed.attachments if a.content_id]
    if not with_ids:
        return {}
    stored = list(message.attachments.order_by("id").values_list("id", "filename"))
    mapping, position = {}, 0
    for attachment in parsed.attachments:
        if attachment.size > settings.MAX_UPLOAD_BYTES:
            continue
        if position < len(stored) and attachment.content_id:
            mapping[attachment.content_id] = stored[position][0]
        position += 1
    return mapping


def _handle_bounce(inbound: InboundMail, parsed: ParsedMail) -> None:
    """Attach the bounce to the ticket it concerns and mark our mail as bounced."""
    ids = parsed.reported_ids + parsed.references + parsed.in_reply_to
    outbound = OutboundMail.objects.filter(mail_id__in=ids).order_by("-id").first() if ids \
        else None  # fmt: skip
    ticket = outbound.ticket if outbound else None
    if ticket is None:
        ticket = conversation.ticket_for_message_ids(ids) or conversation.ticket_for_tag(
            parsed.subject + "\n" + parsed.text
        )
    if outbound is not None:
        OutboundMail.objects.filter(pk=outbound.pk).update(
            status=OutboundMail.Status.BOUNCED, last_error=(parsed.text or parsed.subject)[:4000]
        )
    _finish(inbound, Status.BOUNCE, _("Delivery status notification"), ticket=ticket)
    if ticket is not None:
        _note_bounce(ticket, outbound, parsed)


def _note_bounce(ticket: Ticket, outbound: OutboundMail | None, parsed: ParsedMail) -> None:
    """An internal note on the ticket, so agents see that the customer did not get our mail.

    Written by the system (actor=None): it is never mailed out and changes no status. A bounce
    processed again finds its inbound row already done, so the note is written once.
    """
    report = (parsed.text or parsed.subject or "").strip()
    if len(report) > 2000:
        report = report[:2000] + "…"
    if outbound is not None:
        head = _("Our mail to %(to)s bounced (%(subject)s).") % {
            "to": outbound.recipients, "subject": outbound.subject}  # fmt: skip
    else:
        head = _("A delivery failure notice arrived about this ticket.")
    body = f"{head}\n\n{report}" if report else head
    services.post_message(ticket, actor=None, body=body, channel=Ticket.Channel.EMAIL,
                          internal=True)  # fmt: skip
