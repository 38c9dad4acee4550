"""Turn raw RFC 5322 bytes into a ParsedMail, surviving whatever real-world mail throws at us.

The fast compat32 parser reads the structure; headers are decoded here (RFC 2047, and RFC
2231 parameters through the standard library), and a header that cannot be decoded is kept
as it came. Bodies are decoded with
their declared charset, then UTF-8, then windows-1252, so a wrong declaration never crashes.
"""

import email
import email.header
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import Message

from relaydesk.core.html import html_to_text, sanitize_html, text_to_html

_MSGID = re.compile(r"<([^<>\s]+)>")
_CHARSET_ALIASES = {"ks_c_5601-1987": "cp949", "gb2312": "gb18030", "gbk": "gb18030",
                    "x-sjis": "shift_jis", "unknown-8bit": "cp1252"}  # fmt: skip


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    content: bytes
    content_id: str = ""
    inline: bool = False

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass
class ParsedMail:
    message_id: str
    subject: str
    from_address: str
    from_name: str
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    reply_to: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    date: str = ""
    text: str = ""
    html: str = ""  # sanitized; empty for plain-text mail
    attachments: list[ParsedAttachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    is_report: bool = False  # multipart/report: a delivery status notification
    reported_ids: list[str] = field(default_factory=list)  # Message-IDs a bounce is about

    @property
    def body_html(self) -> str:
        return self.html or text_to_html(self.text)


def decode_bytes(payload: bytes, charset: str | None) -> str:
    """PAYLOAD as text: the declared charset if Python knows it, else UTF-8, else cp1252."""
    tried = []
    if charset:
        charset = charset.strip().strip('"').lower()
        tried.append(_CHARSET_ALIASES.get(charset, charset))
    tried += ["utf-8", "cp1252"]
    for name in tried:
        try:
            return payload.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", errors="replace")


_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def _clean(value: str) -> str:
    """Undo surrogate escapes left by raw 8-bit header bytes (decoded as UTF-8 or cp1252)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return decode_bytes(value.encode("utf-8", "surrogateescape"), None)
    return value


Headers = dict[str, list[str]]


def _raw_headers(msg: Message) -> Headers:
    """Lower-cased name -> the values as they came (8-bit bytes as surrogate escapes, not
    replaced), read once: a dozen headers are looked up in each message."""
    found: Headers = {}
    for name, value in msg.raw_items():
        found.setdefault(name.lower(), []).append(str(value))
    return found


def _header(headers: Headers, name: str) -> str:
    """A header decoded to text (RFC 2047); a malformed one is kept as it came."""
    values = headers.get(name.lower())
    if not values:
        return ""
    return " ".join(_decode_raw_header(values[0]).split())


def _decode_raw_header(value) -> str:
    value = str(value)
    if "=?" in value:
        try:
            value = str(email.header.make_header(email.header.decode_header(value)))
        except Exception:  # noqa: S110 (broken encoded words are shown as they came)
            pass
    return _clean(value)


def _addresses(headers: Headers, name: str) -> list[tuple[str, str]]:
    """(display name, address) pairs of an address header, lower-cased addresses."""
    raw = headers.get(name.lower())
    if not raw:
        return []
    try:
        pairs = email.utils.getaddresses(raw)
    except Exception:
        pairs = []
    found = []
    for display_name, address in pairs:
        if not address or "@" not in address:
            continue
        if not _ADDRESS.fullmatch(address.strip()):
            match = _ADDRESS.search(address)  # e.g. an unbalanced quote swallowed the address
            if not match:
                continue
            address = match.group(0)
        found.append((_decode_raw_header(display_name or ""), _clean(address).strip().lower()))
    return found


def _message_ids(value: str) -> list[str]:
    found = _MSGID.findall(value or "")
    if not found and value.strip() and " " not in value.strip():
        found = [value.strip()]  # some clients leave out the angle brackets
    return [f"<{m.strip('<>')}>"[:255] for m in found if m.strip("<>")]


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name:
        return " ".join(_decode_raw_header(name).split()) if "=?" in name else name
    return ""


_EXTENSIONS = {"text/plain": ".txt", "text/html": ".html", "image/png": ".png",
               "image/jpeg": ".jpg", "image/gif": ".gif", "application/pdf": ".pdf",
               "message/rfc822": ".eml", "application/ms-tnef": ".dat",
               "text/rfc822-headers": ".txt", "message/delivery-status": ".txt"}  # fmt: skip


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if data is None:
        raw = part.get_payload()
        data = raw.encode("utf-8", "replace") if isinstance(raw, str) else b""
    return data


def _text(part: Message) -> str:
    return decode_bytes(_payload(part), part.get_content_charset())


def parse(raw: bytes, *, envelope_sender: str = "") -> ParsedMail:
    """Parse RAW into a ParsedMail; never raises for malformed mail."""
    # compat32 parses ten times faster than the modern policy; headers are decoded here.
    msg = email.message_from_bytes(raw)
    headers = _raw_headers(msg)
    from_pairs = _addresses(headers, "From")
    reply_to = _addresses(headers, "Reply-To")
    fallbacks = from_pairs or reply_to or _addresses(headers, "Sender") or _addresses(
        headers, "Return-Path")  # fmt: skip
    if not fallbacks and "@" in envelope_sender:
        fallbacks = [("", envelope_sender.strip("<>").lower())]
    from_name, from_address = fallbacks[0] if fallbacks else ("", "")
    message_id = (_message_ids(_header(headers, "Message-ID")) or [""])[0]
    if not message_id:
        # Without a Message-ID, the content itself identifies the mail, so a second delivery
        # of the same bytes is still recognised.
        message_id = f"<{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.relaydesk>"
    parsed = ParsedMail(
        message_id=message_id,
        subject=_header(headers, "Subject")[:500],
        from_address=from_address,
        from_name=" ".join(from_name.split()),
        to=[a for _n, a in _addresses(headers, "To")],
        cc=[a for _n, a in _addresses(headers, "Cc")],
        reply_to=reply_to[0][1] if reply_to else "",
        in_reply_to=_message_ids(_header(headers, "In-Reply-To")),
        references=_message_ids(_header(headers, "References")),
        date=_header(headers, "Date"),
        headers={
            name: _header(headers, name)
            for name in (
                "Auto-Submitted",
                "Precedence",
                "X-Autoreply",
                "X-Autorespond",
                "X-Auto-Response-Suppress",
                "List-Id",
                "X-Loop",
                "X-Relaydesk-Loop",
                "Return-Path",
            )  # fmt: skip
            if name.lower() in headers
        },
        is_report=msg.get_content_type() == "multipart/report",
    )
    _walk_body(msg, parsed)
    return parsed


def _walk_body(msg: Message, parsed: ParsedMail) -> None:
    texts: list[str] = []
    htmls: list[str] = []
    _collect(msg, parsed, texts, htmls)
    if htmls:
        parsed.html = sanitize_html("\n".join(htmls))
    if texts:
        parsed.text = "\n\n".join(t.strip("\n") for t in texts).strip()
    elif parsed.html:
        parsed.text = html_to_text(parsed.html)
    if not parsed.text and not parsed.html:
        # A forward with no words of its own: show what was forwarded.
        for attachment in parsed.attachments:
            if attachment.content_type == "message/rfc822":
                inner = parse(attachment.content)
                parsed.text, parsed.html = inner.text, inner.html
                break


def _collect(part: Message, parsed: ParsedMail, texts: list[str], htmls: list[str]) -> None:
    content_type = part.get_content_type()
    disposition = (part.get_content_disposition() or "").lower()
    filename = _filename(part)
    if part.is_multipart() and content_type != "message/rfc822":
        children = part.get_payload()
        if content_type == "multipart/alternative" and isinstance(children, list):
            _collect_alternative(children, parsed, texts, htmls)
            return
        for child in children if isinstance(children, list) else []:
            _collect(child, parsed, texts, htmls)
        return
    if content_type in ("message/delivery-status", "text/rfc822-headers") or (
        content_type == "message/rfc822" and parsed.is_report
    ):
        _note_reported_ids(part, parsed)
    is_body = disposition != "attachment" and not filename and content_type in (
        "text/plain", "text/html")  # fmt: skip
    if is_body:
        (htmls if content_type == "text/html" else texts).append(_text(part))
        return
    if content_type == "message/rfc822":
        data = _rfc822_bytes(part)
        inner_subject = ""
        try:
            inner_subject = _header(_raw_headers(email.message_from_bytes(data)), "Subject")
        except Exception:
            inner_subject = ""
        filename = filename or _safe_name(inner_subject or "forwarded message") + ".eml"
        parsed.attachments.append(ParsedAttachment(filename, content_type, data))
        return
    content_id = (part.get("Content-ID") or "").strip().strip("<>")
    if not filename:
        filename = _safe_name(content_id.split("@")[0] or "attachment") + _EXTENSIONS.get(
            content_type, ".bin")  # fmt: skip
    parsed.attachments.append(
        ParsedAttachment(
            filename=filename,
            content_type=content_type,
            content=_payload(part),
            content_id=content_id,
            inline=bool(content_id) and disposition != "attachment",
        )
    )


def _collect_alternative(children, parsed, texts, htmls) -> None:
    """One body from the alternatives: the text and the HTML version, each at most once."""
    text = html = None
    for child in children:
        ctype = child.get_content_type()
        if ctype == "text/plain" and text is None and not _filename(child):
            text = _text(child)
        elif ctype == "text/html" and html is None and not _filename(child):
            html = _text(child)
        elif child.is_multipart():
            sub_texts: list[str] = []
            sub_htmls: list[str] = []
            _collect(child, parsed, sub_texts, sub_htmls)
            if sub_htmls and html is None:
                html = "\n".join(sub_htmls)
            if sub_texts and text is None:
                text = "\n\n".join(sub_texts)
        else:
            _collect(child, parsed, [], [])
    if text is not None:
        texts.append(text)
    if html is not None:
        htmls.append(html)


def _rfc822_bytes(part: Message) -> bytes:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if isinstance(inner, Message):
        try:
            return inner.as_bytes(policy=policy.SMTP)
        except Exception:
            return bytes(inner)
    return _payload(part)


def _note_reported_ids(part: Message, parsed: ParsedMail) -> None:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if isinstance(inner, Message):
        candidates = [inner.get("Message-ID", "")]
    else:
        candidates = re.findall(r"(?im)^message-id:\s*(\S+)", _text(part))
    for value in candidates:
        parsed.reported_ids.extend(_message_ids(str(value)))


def _safe_name(value: str) -> str:
    cleaned = re.sub(r"[^\w .@-]+", "_", value).strip(" ._")
    return (cleaned or "attachment")[:100]
