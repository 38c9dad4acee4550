"""IMAP: SSL or STARTTLS, password or XOAUTH2, one folder; processed mail is marked read,
moved to a folder or deleted (marking is the default: nothing is removed from the server)."""

import imaplib

from relaydesk.mail.ingest import ingest
from relaydesk.mail.mailboxes import BATCH, TIMEOUT, PollResult, oauth, tls_context
from relaydesk.mail.models import Mailbox

After = Mailbox.AfterProcessing


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def connect(mailbox: Mailbox) -> imaplib.IMAP4:
    port = mailbox.port or mailbox.default_port
    if mailbox.security == Mailbox.Security.SSL:
        conn = imaplib.IMAP4_SSL(mailbox.host, port, ssl_context=tls_context(), timeout=TIMEOUT)
    else:
        conn = imaplib.IMAP4(mailbox.host, port, timeout=TIMEOUT)
        if mailbox.security == Mailbox.Security.STARTTLS:
            conn.starttls(ssl_context=tls_context())
    try:
        if mailbox.auth == Mailbox.Auth.XOAUTH2:
            _xoauth2(conn, mailbox)
        else:
            conn.login(mailbox.username, mailbox.password)
    except Exception:
        _close(conn)
        raise
    return conn


def _xoauth2(conn: imaplib.IMAP4, mailbox: Mailbox) -> None:
    token = oauth.access_token(mailbox)
    try:
        conn.authenticate("XOAUTH2", lambda _challenge: oauth.xoauth2(mailbox.username, token))
    except imaplib.IMAP4.error:
        # The server may have revoked a token that had not expired yet: refresh once.
        token = oauth.access_token(mailbox, force=True)
        conn.authenticate("XOAUTH2", lambda _challenge: oauth.xoauth2(mailbox.username, token))


def _close(conn: imaplib.IMAP4) -> None:
    try:
        conn.logout()
    except Exception:  # noqa: S110 (closing a connection that already failed)
        pass


def fetch(mailbox: Mailbox, result: PollResult) -> None:
    conn = connect(mailbox)
    try:
        typ, _data = conn.select(_quote(mailbox.folder))
        if typ != "OK":
            raise imaplib.IMAP4.error(f"cannot open folder {mailbox.folder}")
        criteria = "UNSEEN" if mailbox.after_processing == After.SEEN else "UNDELETED"
        typ, data = conn.uid("SEARCH", None, criteria)
        uids = (data[0] or b"").split()[:BATCH]
        if mailbox.after_processing == After.MOVE and uids:
            conn.create(_quote(mailbox.processed_folder))  # fails harmlessly when it exists
        can_move = b"MOVE" in b" ".join(
            c if isinstance(c, bytes) else str(c).encode() for c in conn.capabilities
        )
        deleted = False
        for uid in uids:
            typ, parts = conn.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts or [] if isinstance(p, tuple)), None)
            if typ != "OK" or raw is None:
                result.errors.append(f"could not fetch message {uid.decode()}")
                continue
            try:
                ingest(raw, mailbox=mailbox)
            except Exception as exc:  # not stored: leave it on the server for the next poll
                result.errors.append(f"message {uid.decode()} not stored: {exc}")
                continue
            result.fetched += 1
            deleted |= _mark(conn, uid, mailbox, can_move)
        if deleted:
            conn.expunge()
    finally:
        _close(conn)


def _mark(conn: imaplib.IMAP4, uid: bytes, mailbox: Mailbox, can_move: bool) -> bool:
    """Mark UID processed; True when it was flagged deleted and needs an expunge."""
    if mailbox.after_processing == After.SEEN:
        conn.uid("STORE", uid, "+FLAGS", "(\\Seen)")
        return False
    if mailbox.after_processing == After.MOVE:
        if can_move:
            conn.uid("MOVE", uid, _quote(mailbox.processed_folder))
            return False
        conn.uid("COPY", uid, _quote(mailbox.processed_folder))
    conn.uid("STORE", uid, "+FLAGS", "(\\Deleted \\Seen)")
    return True
