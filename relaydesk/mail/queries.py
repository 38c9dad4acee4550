"""Read helpers for the desk and portal: delivery status of sent mail, folded quotes, and
inline (cid:) images."""

import re
from collections.abc import Callable, Iterable

from relaydesk.mail.models import InboundMail, OutboundMail


def delivery_status(message_ids: Iterable[int]) -> dict[int, OutboundMail]:
    """The newest outbound mail for each of these tickets.Message ids (one query)."""
    status: dict[int, OutboundMail] = {}
    for mail in OutboundMail.objects.filter(message_id__in=list(message_ids)).order_by("id"):
        status[mail.message_id] = mail
    return status


def mail_details(message_ids: Iterable[int]) -> dict[int, InboundMail]:
    """The inbound mail each of these tickets.Message ids came from (one query)."""
    rows = InboundMail.objects.filter(message_id__in=list(message_ids)).defer("references")
    return {row.message_id: row for row in rows}


def split_quoted(text: str, offset: int | None) -> tuple[str, str]:
    """(new part, quoted history) of a message's text, for folding the history away."""
    if offset is None or not 0 < offset < len(text):
        return text, ""
    return text[:offset].rstrip(), text[offset:]


_CID = re.compile(r"""(src=["'])cid:([^"']+)(["'])""", re.IGNORECASE)


def resolve_inline_images(html: str, mapping: dict[str, int], url_for: Callable[[int], str]) -> str:
    """Point `cid:` images at the stored attachments (URL_FOR(attachment id) gives the URL)."""

    def replace(match: re.Match) -> str:
        attachment_id = mapping.get(match.group(2))
        if attachment_id is None:
            return match.group(0)
        return f"{match.group(1)}{url_for(attachment_id)}{match.group(3)}"

    return _CID.sub(replace, html or "")
