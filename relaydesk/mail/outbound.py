"""Outbound mail: receipts for new tickets and agents' public replies, sent by the task queue.

Subscribers only queue an OutboundMail row and enqueue its sending; `send()` builds the mail
(From the queue's address, the ticket tag in the subject, threading headers, HTML and text,
attachments) and sends it. A failure is retried with growing delays, so an SMTP outage delays
mail and loses none; after MAX_ATTEMPTS the row is FAILED and the desk can show it.
"""

import logging
from datetime import timedelta
from email.utils import formataddr, make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone

from relaydesk.core.events import subscribe
from relaydesk.mail import conversation
from relaydesk.mail.loop import LOOP_HEADER
from relaydesk.mail.models import MailTemplate, OutboundMail, own_addresses
from relaydesk.tickets.models import Message, Ticket

logger = logging.getLogger(__name__)
Status = OutboundMail.Status
MAX_ATTEMPTS = 8
BACKOFF_MINUTES = [1, 5, 15, 30, 60, 120, 240, 480]
LEASE = timedelta(minutes=10)  # the periodic retry leaves a mail alone while it is being sent


@subscribe("ticket.created")
def send_receipt(payload: dict) -> None:
    """Tell the requester that their ticket exists and how to follow it up."""
    ticket = Ticket.objects.select_related("requester", "queue").filter(
        id=payload["ticket_id"]).first()  # fmt: skip
    if ticket is None or ticket.requester.is_agent or not ticket.requester.is_active:
        return
    message = Message.objects.filter(id=payload.get("message_id")).first()
    queue_mail(ticket, OutboundMail.Kind.RECEIPT, message)


@subscribe("message.posted")
def send_reply(payload: dict) -> None:
    """Mail an agent's public reply to the requester and the customers it is shared with."""
    if payload.get("internal"):
        return
    message = Message.objects.select_related("author", "ticket").filter(
        id=payload["message_id"]).first()  # fmt: skip
    if message is None or message.is_internal or message.author is None:
        return
    if not message.author.is_agent:
        return
    queue_mail(message.ticket, OutboundMail.Kind.REPLY, message)


def recipients_for(ticket: Ticket, kind: str) -> list[str]:
    people = [ticket.requester]
    if kind == OutboundMail.Kind.REPLY:
        people += [s.user for s in ticket.shares.select_related("user") if s.user.is_customer]
    ours = own_addresses()
    seen: dict[str, None] = {}
    for person in people:
        if person.is_active and person.email and person.email.lower() not in ours:
            seen.setdefault(person.email.lower())
    return list(seen)


def queue_mail(ticket: Ticket, kind: str, message: Message | None = None) -> OutboundMail | None:
    """Record the mail to send and enqueue its sending once this transaction commits."""
    recipients = recipients_for(ticket, kind)
    if not recipients:
        return None
    domain = from_address(ticket).rpartition("@")[2] or "relaydesk.localhost"
    outbound = OutboundMail.objects.create(
        ticket=ticket,
        message=message,
        kind=kind,
        mail_id=make_msgid(domain=domain)[:255],
        recipients=", ".join(recipients),
        subject=render_subject(ticket, kind, message)[:998],
        next_attempt_at=timezone.now() + LEASE,
    )
    transaction.on_commit(lambda: _enqueue(outbound.pk))
    return outbound


def _enqueue(outbound_id: int) -> None:
    from relaydesk.mail.tasks import send_outbound_mail

    send_outbound_mail.enqueue(outbound_id)


def from_address(ticket: Ticket) -> str:
    return ticket.queue.email or settings.DEFAULT_FROM_EMAIL


def _context(ticket: Ticket, message: Message | None) -> dict:
    return {"ticket": ticket, "message": message, "reference": ticket.reference,
            "queue": ticket.queue}  # fmt: skip


def _render(kind: str, part: str, context: dict) -> str:
    """PART (subject, text, html) of mail KIND: the admin's template, else the file."""
    custom = MailTemplate.objects.filter(key=kind).first()
    if custom is not None:
        source = getattr(custom, part)
        if part == "html" and not source:
            return ""
        if part != "html":
            source = "{% autoescape off %}" + source + "{% endautoescape %}"
        return Template("{% load i18n %}" + source).render(Context(context))
    name = {"subject": f"mail/{kind}_subject.txt", "text": f"mail/{kind}.txt",
            "html": f"mail/{kind}.html"}[part]  # fmt: skip
    return render_to_string(name, context)


def render_subject(ticket: Ticket, kind: str, message: Message | None) -> str:
    subject = " ".join(_render(kind, "subject", _context(ticket, message)).split())
    tag = f"[{ticket.reference}]"
    if tag not in subject:
        subject = f"{tag} {subject}"
    return subject


def build(outbound: OutboundMail) -> EmailMultiAlternatives:
    ticket = outbound.ticket
    context = _context(ticket, outbound.message)
    in_reply_to, references = conversation.thread_ids(ticket, before=outbound)
    headers = {"Message-ID": outbound.mail_id, LOOP_HEADER: ticket.reference}
    if outbound.kind == OutboundMail.Kind.RECEIPT:
        headers["Auto-Submitted"] = "auto-replied"  # RFC 3834: auto-responders stay quiet
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
        headers["References"] = " ".join(references)
    mail = EmailMultiAlternatives(
        subject=outbound.subject,
        body=_render(outbound.kind, "text", context),
        from_email=formataddr((ticket.queue.name, from_address(ticket))),
        to=[a.strip() for a in outbound.recipients.split(",") if a.strip()],
        headers=headers,
    )
    html = _render(outbound.kind, "html", context)
    if html:
        mail.attach_alternative(html, "text/html")
    if outbound.message is not None and outbound.kind == OutboundMail.Kind.REPLY:
        for attachment in outbound.message.attachments.all():
            with attachment.file.open("rb") as handle:
                mail.attach(attachment.filename, handle.read(), attachment.content_type)
    return mail


def send(outbound_id: int) -> OutboundMail | None:
    """Send one queued mail now; on failure schedule the next try (or give up)."""
    now = timezone.now()
    related = ("ticket__queue", "ticket__requester", "message")
    outbound = OutboundMail.objects.select_related(*related).filter(pk=outbound_id).first()
    if outbound is None or outbound.status != Status.PENDING:
        return outbound
    # Claim it: only one sender (the first task or the periodic retry) sends a given mail.
    claimed = OutboundMail.objects.filter(
        pk=outbound.pk, status=Status.PENDING, next_attempt_at=outbound.next_attempt_at
    ).update(next_attempt_at=now + LEASE)
    if not claimed:
        return outbound
    outbound.attempts += 1
    try:
        build(outbound).send(fail_silently=False)
    except Exception as exc:
        outbound.last_error = f"{type(exc).__name__}: {exc}"[:4000]
        if outbound.attempts >= MAX_ATTEMPTS:
            outbound.status = Status.FAILED
        else:
            delay = BACKOFF_MINUTES[min(outbound.attempts, len(BACKOFF_MINUTES)) - 1]
            outbound.next_attempt_at = now + timedelta(minutes=delay)
        logger.warning("sending %s failed (attempt %d): %s", outbound.mail_id,
                       outbound.attempts, exc)  # fmt: skip
    else:
        outbound.status = Status.SENT
        outbound.sent_at = timezone.now()
        outbound.last_error = ""
    outbound.save(update_fields=["status", "attempts", "last_error", "next_attempt_at",
                                 "sent_at"])  # fmt: skip
    return outbound


def retry_due(now=None) -> int:
    """Enqueue every pending mail whose next try has come (run by the scheduler)."""
    now = now or timezone.now()
    due = list(OutboundMail.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:500])  # fmt: skip
    for pk in due:
        _enqueue(pk)
    return len(due)
