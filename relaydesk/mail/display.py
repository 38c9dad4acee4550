"""How mail-borne messages look in the desk and the portal: the new part first with the quoted
history folded away, `cid:` images pointing at the message's own attachments, and (desk only)
what became of the mail we sent for an agent's reply.

`prepare_timeline()` costs at most one query for a whole conversation: the inbound rows of
the messages that came by email and the outbound rows of the public replies are read together
in one UNION query, never per message.
"""

import html
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from relaydesk.core.html import sanitize_html
from relaydesk.mail.models import InboundMail, OutboundMail
from relaydesk.tickets.models import Message, Ticket

Status = OutboundMail.Status


@dataclass
class MailBody:
    """A mail-borne message's body as shown: the new part, and the quoted history (may be "")."""

    new_html: SafeString
    quoted_html: SafeString


@dataclass
class Delivery:
    """What became of the mail sent for one public reply, as one line of text."""

    status: str
    text: str
    is_error: bool


@dataclass
class _Inbound:
    quote_offset: int | None
    inline_images: dict


@dataclass
class _Outbound:
    status: str
    recipients: str
    last_error: str
    next_attempt_at: datetime | None
    attempts: int


# --- the one query ---------------------------------------------------------------------------


def mail_rows(
    inbound_message_ids: list[int], outbound_message_ids: list[int]
) -> tuple[dict[int, _Inbound], dict[int, _Outbound]]:
    """Inbound mail of the first messages and the newest reply mail of the second.

    At most two small indexed queries, none for an empty list: plain `values_list` reads,
    which cost less to build than one UNION of annotated querysets.
    """
    inbound: dict[int, _Inbound] = {}
    outbound: dict[int, _Outbound] = {}
    if inbound_message_ids:
        received = InboundMail.objects.filter(message_id__in=inbound_message_ids).order_by()
        for message_id, offset, images in received.values_list(
            "message_id", "quote_offset", "inline_images"
        ):
            inbound[message_id] = _Inbound(offset, images if isinstance(images, dict) else {})
    if outbound_message_ids:
        sent = OutboundMail.objects.filter(
            message_id__in=outbound_message_ids, kind=OutboundMail.Kind.REPLY
        ).order_by("id")  # the newest reply mail of a message wins
        for message_id, status, recipients, error, next_at, attempts in sent.values_list(
            "message_id", "status", "recipients", "last_error", "next_attempt_at", "attempts"
        ):
            outbound[message_id] = _Outbound(status, recipients, error, next_at, attempts or 0)
    return inbound, outbound


# --- the timeline ----------------------------------------------------------------------------


def prepare_timeline(entries, *, attachment_url: str, with_delivery: bool) -> None:
    """Give each message of the timeline ENTRIES `mail_body` (MailBody or None) and, WITH_DELIVERY,
    `delivery` (Delivery or None). ATTACHMENT_URL names the download view for inline images.

    The entries must come from a permission-filtered timeline (tickets.queries.timeline): only
    their messages' mail is read, and an inline image is shown only when its attachment belongs
    to the very message that refers to it.
    """
    messages: list[Message] = [e.item for e in entries if e.kind == "message"]
    for message in messages:
        message.mail_body = None
        message.delivery = None
    by_mail = [m.id for m in messages if m.channel == Ticket.Channel.EMAIL]
    replies = [m.id for m in messages if with_delivery and not m.is_internal and m.author_id]
    inbound, outbound = mail_rows(by_mail, replies)
    for message in messages:
        if message.id in inbound:
            message.mail_body = mail_body(message, inbound[message.id], attachment_url)
        if message.id in outbound:
            message.delivery = delivery(outbound[message.id])


def decorate_timeline(entries, *, viewer, attachment_url: str) -> None:
    """The tickets timeline hook: delivery status is staff information, shown to agents."""
    prepare_timeline(entries, attachment_url=attachment_url, with_delivery=viewer.is_agent)


def mail_body(message: Message, inbound: _Inbound, attachment_url: str) -> MailBody:
    own = {a.id for a in message.attachments.all()}  # prefetched by the timeline
    mapping = {cid: pk for cid, pk in (inbound.inline_images or {}).items() if pk in own}
    body = resolve_cids(message.body_html, mapping, lambda pk: reverse(attachment_url, args=[pk]))
    new, quoted = split_html(body, _visible_chars(message.body_text, inbound.quote_offset))
    # Sanitized at ingest; cleaned again here because the HTML was rewritten and cut in two.
    return MailBody(mark_safe(sanitize_html(new)), mark_safe(sanitize_html(quoted)))  # noqa: S308


def delivery(mail: _Outbound) -> Delivery:
    recipients = mail.recipients
    if mail.status == Status.SENT:
        return Delivery(mail.status, _("Emailed to %(to)s") % {"to": recipients}, False)
    if mail.status == Status.BOUNCED:
        reason = _first_line(mail.last_error)
        text = _("Bounced: mail to %(to)s was returned") % {"to": recipients}
        return Delivery(mail.status, f"{text} ({reason})" if reason else text, True)
    if mail.status == Status.FAILED:
        text = _("Delivery failed: %(reason)s (gave up after %(n)d attempts)") % {
            "reason": _first_line(mail.last_error) or _("unknown error"),
            "n": mail.attempts,
        }
        return Delivery(mail.status, text, True)  # fmt: skip
    if mail.attempts and mail.last_error:
        when = timezone.localtime(mail.next_attempt_at) if mail.next_attempt_at else None
        text = _("Delivery failed: %(reason)s (retrying at %(when)s)") % {
            "reason": _first_line(mail.last_error),
            "when": formats.date_format(when, "DATETIME_FORMAT") if when else "…",
        }
        return Delivery(mail.status, text, True)  # fmt: skip
    return Delivery(mail.status, _("Sending by email to %(to)s…") % {"to": recipients}, False)


def _first_line(text: str) -> str:
    line = next((line.strip() for line in (text or "").splitlines() if line.strip()), "")
    return line[:300]


# --- inline images ---------------------------------------------------------------------------

_CID = re.compile(r"""(\ssrc=)(["'])cid:([^"']*)\2""", re.IGNORECASE)


def resolve_cids(body_html: str, mapping: dict[str, int], url_for) -> str:
    """Point `cid:` image sources at the attachment URL_FOR(id) gives; unknown ones are kept
    (a dead `cid:` link loads nothing)."""
    if not mapping or "cid:" not in (body_html or "").lower():
        return body_html or ""

    def replace(match: re.Match) -> str:
        cid = html.unescape(match.group(3)).strip().strip("<>")
        pk = mapping.get(cid) or mapping.get(unquote(cid))
        if pk is None:
            return match.group(0)
        return f'{match.group(1)}"{html.escape(url_for(pk))}"'

    return _CID.sub(replace, body_html)


# --- folding the quoted history ---------------------------------------------------------------

_TOKEN = re.compile(
    r"<!--.*?-->"
    r"|<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s\"'>/=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*/?>"
    r"|[^<]+|<",
    re.DOTALL,
)
_CHAR = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);|.", re.DOTALL)
_VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


def _visible_chars(text: str, offset: int | None) -> int | None:
    """How many non-blank characters come before the quoted history, or None if there is none.

    The offset is in the message's text; its HTML shows the same non-blank characters in the
    same order (the text is made from the HTML, or the HTML from the text), so counting them
    finds the same place in the HTML without parsing it into a tree.
    """
    text = text or ""
    if offset is None or not 0 < offset < len(text) or not text[offset:].strip():
        return None
    return sum(1 for ch in text[:offset] if not ch.isspace())


def split_html(body_html: str, visible: int | None) -> tuple[str, str]:
    """(new part, quoted part) of well-formed HTML, cut before its VISIBLE+1th non-blank
    character; elements open at the cut are closed in the first part and reopened in the
    second, so both stay well-formed."""
    if visible is None:
        return body_html, ""
    count, stack, out = 0, [], []
    for match in _TOKEN.finditer(body_html):
        token = match.group(0)
        name = (match.group(2) or "").lower()
        if name:
            if match.group(1):
                if stack and stack[-1][0] == name:
                    stack.pop()
            elif name not in _VOID and not token.endswith("/>"):
                stack.append((name, token))
            out.append(token)
            continue
        if token.startswith("<!--"):
            out.append(token)
            continue
        for char_match in _CHAR.finditer(token):
            char = char_match.group(0)
            shown = html.unescape(char) if char.startswith("&") else char
            if shown.strip():
                if count == visible:
                    rest = token[char_match.start() :] + body_html[match.end() :]
                    new = "".join(out) + token[: char_match.start()]
                    new += "".join(f"</{n}>" for n, _open in reversed(stack))
                    new = _drop_trailing_empty(new)
                    quoted = "".join(open_tag for _n, open_tag in stack) + rest
                    if not html_has_text(quoted):
                        return body_html, ""
                    return new, quoted
                count += 1
        out.append(token)
    return body_html, ""


_TRAILING_EMPTY = re.compile(
    r"<([a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?>\s*</\1>(?=(?:\s*</[a-zA-Z0-9]+>)*\s*$)"
)


def _drop_trailing_empty(value: str) -> str:
    """Remove the empty elements the cut leaves at the end (`<p></p>`)."""
    while (match := _TRAILING_EMPTY.search(value)) is not None:
        value = value[: match.start()] + value[match.end() :]
    return value


def html_has_text(value: str) -> bool:
    return bool(re.sub(r"<[^>]*>", "", value).strip())
