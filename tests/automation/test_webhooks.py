"""The "call a webhook" action: a signed POST to a real HTTP server on 127.0.0.1, a timeout,
and retries through the task queue."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from relaydesk.automation import outbound
from relaydesk.automation.models import Trigger
from relaydesk.tickets import services


class Receiver:
    """A webhook receiver that records each request; answers with the next queued status."""

    def __init__(self):
        self.requests: list[tuple[dict, bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def webhook_trigger(url: str):
    trigger = Trigger.objects.create(name="tell the CRM", event=Trigger.On.STATUS)
    trigger.conditions.create(field="status", operator="equals", value="resolved")
    return trigger.actions.create(kind="webhook", value=url)


def expected_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_signed_call_reaches_the_receiver(commit, receiver, ticket, agent):
    action = webhook_trigger(receiver.url)
    assert len(action.secret) == 64  # every webhook gets its own key
    with commit():
        services.change_status(ticket, actor=agent, status="resolved")
    [(headers, body)] = receiver.requests
    assert headers["X-Relaydesk-Signature"] == expected_signature(action.secret, body)
    assert headers["X-Relaydesk-Signature"] != expected_signature("wrong secret", body)
    payload = json.loads(body)
    assert payload["reference"] == ticket.reference and payload["status"] == "resolved"
    assert payload["rule"] == "trigger tell the CRM"
    assert headers["X-Relaydesk-Timestamp"] == str(payload["sent_at"])  # signed in the body
    assert headers["Content-Type"] == "application/json"


def test_each_webhook_has_its_own_secret(db, receiver):
    first, second = webhook_trigger(receiver.url), webhook_trigger(receiver.url)
    assert first.secret != second.secret


def test_server_error_is_retried_then_succeeds(commit, receiver, ticket, agent):
    receiver.statuses = [503, 500]
    action = webhook_trigger(receiver.url)
    with commit():
        services.change_status(ticket, actor=agent, status="resolved")
    assert len(receiver.requests) == 3  # two failures, retried from the task queue
    for headers, body in receiver.requests:
        assert headers["X-Relaydesk-Signature"] == expected_signature(action.secret, body)


def test_gives_up_after_the_last_attempt(receiver, caplog):
    receiver.statuses = [500] * 10
    outbound.call_webhook.enqueue(receiver.url, {"ticket": 1}, "s3cret")
    assert len(receiver.requests) == len(outbound.WEBHOOK_RETRY_DELAYS) + 1
    assert "failed for good" in caplog.text


def test_client_error_is_not_retried(receiver):
    receiver.statuses = [404]
    outbound.call_webhook.enqueue(receiver.url, {"ticket": 1}, "s3cret")
    assert len(receiver.requests) == 1


def test_slow_receiver_times_out_and_is_retried(monkeypatch, ticket):
    """A receiver that never answers costs at most the timeout per attempt."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts connections, never answers
    monkeypatch.setattr(outbound, "WEBHOOK_TIMEOUT_SECONDS", 0.2)
    monkeypatch.setattr(outbound, "WEBHOOK_RETRY_DELAYS", (1,))
    enqueued = []
    real = outbound.call_webhook.enqueue
    monkeypatch.setattr(
        type(outbound.call_webhook),
        "enqueue",
        lambda self, *a: enqueued.append(a) or real(*a),
    )
    try:
        outbound.call_webhook.enqueue(
            f"http://127.0.0.1:{listener.getsockname()[1]}/hook", {"ticket": 1}, "k"
        )
    finally:
        listener.close()
    # the call, then one retry (attempt 2) that timed out as well and was the last
    assert [len(a) for a in enqueued] == [3, 4] and enqueued[1][-1] == 2


def test_sign_matches_hmac():
    assert outbound.sign("key", b"{}") == expected_signature("key", b"{}")
