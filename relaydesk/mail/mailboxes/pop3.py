"""POP3: SSL or STLS with a password. POP3 has no flags, so the UIDLs already stored are
remembered (and messages are deleted only when the mailbox says so)."""

import poplib

from relaydesk.mail.ingest import ingest
from relaydesk.mail.mailboxes import BATCH, TIMEOUT, PollResult, tls_context
from relaydesk.mail.models import Mailbox

MAX_REMEMBERED = 5000


def connect(mailbox: Mailbox) -> poplib.POP3:
    port = mailbox.port or mailbox.default_port
    if mailbox.security == Mailbox.Security.SSL:
        conn = poplib.POP3_SSL(mailbox.host, port, context=tls_context(), timeout=TIMEOUT)
    else:
        conn = poplib.POP3(mailbox.host, port, timeout=TIMEOUT)
        if mailbox.security == Mailbox.Security.STARTTLS:
            conn.stls(context=tls_context())
    if mailbox.auth == Mailbox.Auth.XOAUTH2:
        conn.quit()
        raise poplib.error_proto("XOAUTH2 is supported for IMAP mailboxes only")
    conn.user(mailbox.username)
    conn.pass_(mailbox.password)
    return conn


def fetch(mailbox: Mailbox, result: PollResult) -> None:
    conn = connect(mailbox)
    delete = mailbox.after_processing == Mailbox.AfterProcessing.DELETE
    seen = list(Mailbox.objects.filter(pk=mailbox.pk).values_list("seen_uids", flat=True)[0] or [])
    seen_set = set(seen)
    try:
        listing = conn.uidl()[1]
        for line in listing:
            number, _sep, uid = line.decode("ascii", "replace").partition(" ")
            if uid in seen_set and not delete:
                continue
            if result.fetched >= BATCH:
                break
            raw = b"\r\n".join(conn.retr(int(number))[1]) + b"\r\n"
            try:
                ingest(raw, mailbox=mailbox)
            except Exception as exc:
                result.errors.append(f"message {uid} not stored: {exc}")
                continue
            result.fetched += 1
            if delete:
                conn.dele(int(number))
            else:
                seen.append(uid)
                seen_set.add(uid)
        current = {line.decode("ascii", "replace").partition(" ")[2] for line in listing}
        mailbox.seen_uids = [u for u in seen if u in current][-MAX_REMEMBERED:]
        Mailbox.objects.filter(pk=mailbox.pk).update(seen_uids=mailbox.seen_uids)
    finally:
        conn.quit()  # commits the deletions
