"""Fixtures of the email channel: a mailbox on the IT queue, and helpers to build mail."""

import json
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest
from django.utils import timezone

from relaydesk.mail.models import Mailbox

CORPUS = Path(__file__).parent / "corpus"
SUPPORT = "support@desk.test"


@pytest.fixture
def mailbox(queue):
    queue.email = SUPPORT
    queue.save(update_fields=["email"])
    return Mailbox.objects.create(name="it", queue=queue, address=SUPPORT, host="127.0.0.1")


@pytest.fixture
def make_mail():
    """Build a simple RFC 5322 message as bytes."""

    def build(
        *,
        sender="Cora Customer <customer@acme.test>",
        to=SUPPORT,
        subject="Printer on fire",
        body="The printer on floor 3 is on fire.",
        message_id=None,
        headers=None,
        html=None,
    ) -> bytes:
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = format_datetime(timezone.now())
        msg["Message-ID"] = message_id or make_msgid(domain="acme.test")
        for name, value in (headers or {}).items():
            msg[name] = value
        msg.set_content(body)
        if html:
            msg.add_alternative(html, subtype="html")
        return msg.as_bytes()

    return build


class _Capture:
    """An aiosmtpd handler keeping every message it is given.

    `messages` holds the email channel's own mail (it carries X-Relaydesk-Loop); other apps'
    mail (agent notifications) goes to `others`.
    """

    def __init__(self):
        self.messages = []
        self.others = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        from email import message_from_bytes, policy

        mail = message_from_bytes(envelope.content, policy=policy.default)
        kept = self.messages if "X-Relaydesk-Loop" in mail else self.others
        kept.append((envelope.rcpt_tos, mail))
        return "250 OK"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_outbox(settings):
    """A real SMTP server in the test process; outbound mail is sent to it."""
    from aiosmtpd.controller import Controller

    handler = _Capture()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield handler.messages
    controller.stop()


class OAuthStandIn:
    """A local stand-in for a provider's token endpoint (and Dovecot's introspection)."""

    REFRESH_TOKEN = "refresh-1"

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs

        self.issued: list[str] = []
        self.refresh_calls = 0
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if self.path == "/token":
                    body = stand_in.token(form)
                else:
                    active = form.get("token") in stand_in.issued
                    body = {"active": active, "username": "helpdesk"} if active else {
                        "active": False}  # fmt: skip
                data = json.dumps(body).encode()
                status = 400 if "error" in body else 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, form: dict) -> dict:
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") not in (
            self.REFRESH_TOKEN,
            "refresh-2",
        ):
            return {"error": "invalid_grant"}
        self.refresh_calls += 1
        token = f"access-{len(self.issued) + 1}"
        self.issued.append(token)
        return {"access_token": token, "expires_in": 3600, "refresh_token": "refresh-2"}

    def stop(self):
        self.server.shutdown()


@pytest.fixture(scope="session")
def oauth_endpoint():
    stand_in = OAuthStandIn()
    yield stand_in
    stand_in.stop()


@pytest.fixture(scope="session")
def dovecot(oauth_endpoint):
    from tests.mail import dovecot as dovecot_module

    server = dovecot_module.start(f"{oauth_endpoint.url}/introspect")
    yield server
    server.stop()


@pytest.fixture
def imap_client(dovecot, monkeypatch):
    """Trust the throw-away certificate; return a function giving a fresh IMAP session."""
    import imaplib

    from tests.mail.dovecot import PASSWORD, USER

    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.cert))
    sessions = []

    def connect():
        conn = imaplib.IMAP4("127.0.0.1", dovecot.imap_port)
        conn.login(USER, PASSWORD)
        sessions.append(conn)
        return conn

    # Each test starts with empty folders.
    conn = connect()
    for folder in ("INBOX", "Processed"):
        typ, count = conn.select(folder)
        if typ == "OK" and int(count[0]) > 0:
            conn.store("1:*", "+FLAGS", "(\\Deleted)")
            conn.expunge()
    yield connect
    for session in sessions:
        try:
            session.logout()
        except Exception:  # noqa: S110
            pass
