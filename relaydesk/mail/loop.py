"""Loop and noise protection: which mail must never open a ticket or get an answer."""

from django.utils.translation import gettext as _

from relaydesk.mail.parse import ParsedMail

LOOP_HEADER = "X-Relaydesk-Loop"
_BOUNCE_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon")


def is_bounce(parsed: ParsedMail) -> bool:
    """A delivery status notification: a report, or mail from the mailer daemon."""
    local = parsed.from_address.partition("@")[0]
    return parsed.is_report or local in _BOUNCE_SENDERS or (
        parsed.headers.get("Return-Path", "").strip() == "<>"
    )  # fmt: skip


def why_ignored(parsed: ParsedMail, own_addresses: set[str]) -> str | None:
    """The reason this mail is automatic or our own, or None for mail from a person."""
    headers = parsed.headers
    auto = headers.get("Auto-Submitted", "").lower()
    if auto and auto != "no":
        return _("Auto-Submitted: %s") % auto
    precedence = headers.get("Precedence", "").lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return _("Precedence: %s") % precedence
    for name in ("X-Autoreply", "X-Autorespond"):
        if name in headers:
            return _("%s header") % name
    if headers.get("X-Auto-Response-Suppress", "").lower() in ("all", "oof"):
        return _("X-Auto-Response-Suppress: %s") % headers["X-Auto-Response-Suppress"]
    if LOOP_HEADER in headers:
        return _("sent by Relaydesk itself (%s)") % LOOP_HEADER
    if parsed.from_address in own_addresses:
        return _("sent from our own address %s") % parsed.from_address
    return None
