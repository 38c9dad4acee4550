"""`relaydesk serve` end to end: a fresh data dir, the production web server, the task worker
and the scheduler, then a clean shutdown. Runs the real command in a subprocess on SQLite."""

import http.cookiejar
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from relaydesk.runtime.demo import DEMO_LOGINS, DEMO_PASSWORD
from tests.runtime.test_deploy_check import REPO, relaydesk_env

START_TIMEOUT = 60
TASKS_TIMEOUT = 60
STOP_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Every process below PID, from /proc (children of children too)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent has not collected it


class Server:
    def __init__(self, data_dir: Path, port: int):
        self.url = f"http://127.0.0.1:{port}"
        self.db = data_dir / "relaydesk.sqlite3"
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "relaydesk.cli", "serve", "--port", str(port),
             "--workers", "2"],
            cwd=REPO, env=relaydesk_env(data_dir), stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )  # fmt: skip
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def get(self, path: str, opener=None):
        opener = opener or urllib.request.build_opener()
        try:
            return opener.open(self.url + path, timeout=10)
        except urllib.error.HTTPError as exc:
            return exc

    def wait_until(self, what: str, check, timeout: float):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, (
                f"serve exited while waiting for {what}:\n{self.output}"
            )
            try:
                result = check()
            except (OSError, sqlite3.Error):
                result = None
            if result:
                return result
            time.sleep(0.3)
        pytest.fail(f"timed out after {timeout}s waiting for {what}:\n{self.output[-5000:]}")

    def query(self, sql: str, params=()) -> list[tuple]:
        with sqlite3.connect(self.db, timeout=10) as conn:
            return conn.execute(sql, params).fetchall()

    def kill_all(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path, free_port())
    try:
        yield srv
    finally:
        srv.kill_all()  # only if the test failed before its clean shutdown


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_serve_runs_everything_and_stops_cleanly(server):
    # 1. Up: the web server answers, and the database and queue are ready.
    server.wait_until("/healthz", lambda: server.get("/healthz").status == 200, START_TIMEOUT)
    ready = server.get("/readyz")
    assert ready.status == 200
    checks = json.loads(ready.read())
    assert (checks["status"], checks["database"], checks["queue"]) == ("ok", "ok", "ok")

    # 2. It printed where it runs and how to log in.
    banner = server.wait_until(
        "the banner", lambda: "Press Ctrl+C" in server.output and server.output, 20
    )
    assert f"Relaydesk is running at {server.url}/" in banner
    assert DEMO_PASSWORD in banner
    for email, _what in DEMO_LOGINS:
        assert email in banner

    # 3. The demo data is there.
    assert server.query("SELECT count(*) FROM accounts_queue") == [(3,)]
    emails = {row[0] for row in server.query("SELECT email FROM accounts_user")}
    assert {email for email, _ in DEMO_LOGINS} <= emails
    statuses = {row[0] for row in server.query("SELECT DISTINCT status FROM tickets_ticket")}
    assert statuses == {"new", "in_progress", "waiting", "resolved", "closed", "feedback"}

    # 4. The admin login page, with its CSS served by whitenoise (hashed, cacheable).
    login = server.get("/admin/login/")
    assert login.status == 200
    html = login.read().decode()
    css = re.findall(r'href="(/static/[^"]+\.css)"', html)
    assert css, html[:2000]
    for href in css:
        sheet = server.get(href)
        assert sheet.status == 200, href
        assert sheet.headers["Content-Type"].startswith("text/css")
        assert re.search(r"\.[0-9a-f]{12}\.css$", href), f"{href} is not a hashed name"
        assert "immutable" in sheet.headers.get("Cache-Control", "")

    # 5. A demo admin logs in over plain http; the session cookie is not Secure-only.
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    server.get("/admin/login/", opener).read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    form = urllib.parse.urlencode({
        "csrfmiddlewaretoken": token, "username": "admin@example.com",
        "password": DEMO_PASSWORD, "next": "/admin/",
    }).encode()  # fmt: skip
    try:
        response = opener.open(server.url + "/admin/login/", form, timeout=10)
    except urllib.error.HTTPError as exc:
        response = exc
    assert response.status == 302, response.read().decode()[:2000]
    assert response.headers["Location"] == "/admin/"
    session = next(c for c in jar if c.name == "sessionid")
    assert not session.secure
    assert "Site administration" in server.get("/admin/", opener).read().decode()

    # 6. The background worker runs the queued tasks (search indexing of the demo tickets).
    def tasks_done():
        rows = server.query(
            "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status"
        )
        counts = dict(rows)
        if counts.get("FAILED"):
            failed = server.query(
                "SELECT task_path, traceback FROM "
                "django_tasks_database_dbtaskresult WHERE status = 'FAILED' LIMIT 3"
            )
            pytest.fail(f"background tasks failed: {failed}")  # fmt: skip
        pending = counts.get("READY", 0) + counts.get("RUNNING", 0)
        return counts.get("SUCCESSFUL", 0) > 0 and pending == 0 and counts

    counts = server.wait_until("the worker to finish the queue", tasks_done, TASKS_TIMEOUT)
    tickets = server.query("SELECT count(*) FROM tickets_ticket")[0][0]
    assert counts["SUCCESSFUL"] >= tickets
    indexed = server.query("SELECT count(*) FROM search_ticket")[0][0]
    assert indexed == tickets
    hits = server.query("SELECT rowid FROM search_ticket WHERE search_ticket MATCH 'vpn'")
    assert hits

    # 7. SIGTERM stops the web server, its workers, the task worker and the scheduler.
    children = descendants(server.proc.pid)
    assert len(children) >= 5, children  # gunicorn master + 2 workers, worker, scheduler
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=STOP_TIMEOUT) == 0, server.output[-3000:]
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline and any(alive(pid) for pid in children):
        time.sleep(0.2)
    assert not [pid for pid in children if alive(pid)], "child processes outlived serve"
    with pytest.raises(OSError):
        urllib.request.urlopen(server.url + "/healthz", timeout=2)
