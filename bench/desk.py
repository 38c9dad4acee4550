"""Latency of the agent desk over HTTP, against the production server.

    .venv/bin/python bench/desk.py [--data-dir var/bench] [--requests 200]

Starts `relaydesk serve --no-worker` (gunicorn, 2 workers) on a free port of 127.0.0.1 on
the database made by bench/seed.py, signs in as the seeded benchmark agent through the login
page, then requests, one at a time over a keep-alive connection and after a warm-up: the
queue view (default, filtered by queue and status, unassigned, pages 2 and 3), keyword
searches (common, mid-frequency and rare words, two words) and ticket pages. Prints p50, p95
and max per endpoint, then stops the server. Only loopback is ever contacted.
"""

import argparse
import html
import http.client
import json
import math
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import DB_NAME, ROOT, data_dir, read_manifest  # noqa: E402

HOST = "127.0.0.1"
# p95 targets at 1,000,000 tickets on SQLite (issue #2): queue views, search, ticket page.
TARGETS = {"queue": 50.0, "search": 150.0, "ticket": 30.0}
_NEXT_LINK = re.compile(r'href="([^"]*[?&](?:amp;)?cursor=[^"]*)"')
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Client:
    """A tiny sequential HTTP client with a cookie jar; reconnects when the server closes."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()
                if attempt:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        if response.will_close:
            self.conn.close()
        return response.status, response, content

    def timed_get(self, path: str) -> tuple[float, int, bytes]:
        start = time.perf_counter()
        status, _response, content = self.request("GET", path)
        return (time.perf_counter() - start) * 1000, status, content


class ServerCpu:
    """CPU time used by the web server's processes (Linux /proc, nanoseconds), or None.

    Wall-clock latency on a shared 2-core machine includes waiting for a core; the CPU a
    request cost the server does not, so it is printed beside it.
    """

    def __init__(self, root_pid: int) -> None:
        self.pids = [p for p in _descendants(root_pid) if b"gunicorn" in _cmdline(p)]

    def now(self) -> int | None:
        total = 0
        for pid in self.pids:
            try:
                with open(f"/proc/{pid}/schedstat", encoding="ascii") as f:
                    total += int(f.read().split()[0])
            except (OSError, ValueError, IndexError):
                return None
        return total if self.pids else None


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        children = [c for c, p in parents.items() if p == pid]
        found.extend(children)
        frontier.extend(children)
    return found


def _load() -> str:
    """The machine's load average: figures taken on a busy machine say so."""
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(path: Path, port: int, workers: int, log_file) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(RELAYDESK_DATA_DIR=str(path), DJANGO_SETTINGS_MODULE="relaydesk.settings")
    env.setdefault("RELAYDESK_LOG_LEVEL", "WARNING")
    command = [
        sys.executable, "-m", "relaydesk.cli", "serve", "--no-worker", "--no-demo",
        "--host", HOST, "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip
    return subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)  # serve stops gunicorn itself
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def wait_healthy(port: int, server: subprocess.Popen, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"The server stopped (exit {server.returncode}); see {log_path}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"The server did not answer /healthz within {timeout:.0f} s; see {log_path}")


def sign_in(client: Client, email: str, password: str, path: Path) -> str:
    """Sign in through /login/ as a browser would; else make a session in the database."""
    status, _r, content = client.request("GET", "/login/")
    match = _CSRF_INPUT.search(content.decode("utf-8", "replace"))
    if status == 200 and match and "csrftoken" in client.cookies:
        form = {"username": email, "password": password, "csrfmiddlewaretoken": match.group(1),
                "next": "/desk/"}  # fmt: skip
        headers = {"Referer": f"http://{HOST}:{client.port}/login/"}
        status, _r, _c = client.request("POST", "/login/", form, headers)
        if status in (302, 303) and "sessionid" in client.cookies:
            return "login page"
        print(f"Signing in through /login/ gave HTTP {status}; making a session instead.")
    client.cookies["sessionid"] = make_session(path, email)
    return "session made in the database"


def make_session(path: Path, email: str) -> str:
    from _common import setup_django

    setup_django(path)
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from relaydesk.accounts.models import User

    user = User.objects.get(email=email)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def visible_numbers(path: Path, queue_ids: list[int], count: int, seed: int) -> list[int]:
    """Random ticket numbers in the agent's queues (so every page is a 200, not a 404)."""
    con = sqlite3.connect(f"file:{path / DB_NAME}?mode=ro", uri=True)
    try:
        (max_id,) = con.execute("SELECT MAX(id) FROM tickets_ticket").fetchone()
        rng = random.Random(seed)
        numbers: list[int] = []
        marks = ",".join("?" * len(queue_ids))
        while len(numbers) < count:
            ids = [rng.randint(1, max_id) for _ in range(500)]
            rows = con.execute(
                f"SELECT number FROM tickets_ticket WHERE id IN ({','.join('?' * len(ids))})"  # noqa: S608
                f" AND queue_id IN ({marks})",
                [*ids, *queue_ids],
            ).fetchall()
            numbers.extend(r[0] for r in rows)
        return numbers[:count]
    finally:
        con.close()


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not sorted_values:
        return float("nan")
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


def next_link(content: bytes) -> str | None:
    match = _NEXT_LINK.search(content.decode("utf-8", "replace"))
    return html.unescape(match.group(1)) if match else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="default: var/bench in the repository")
    parser.add_argument("--requests", type=int, default=200, help="measured per endpoint")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured, per endpoint")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    path = data_dir(args.data_dir)
    manifest = read_manifest(path)
    if "tickets" not in manifest:
        raise SystemExit(f"The seed in {path} did not finish: run bench/seed.py again.")
    words = manifest["words"]
    queue_ids = manifest["agent_queue_ids"]
    total = args.requests + args.warmup
    numbers = visible_numbers(path, queue_ids, total, args.seed)
    two_words = [f"{c} {m}" for c, m in zip(words["common"], words["mid"], strict=False)]

    def rotating(items, make):
        return lambda i: make(items[i % len(items)])

    words = {k: v or ["printer"] for k, v in words.items()}  # an older seed may lack a kind

    endpoints: dict[str, tuple[str, object]] = {
        "queue view /desk/": ("queue", lambda i: "/desk/"),
        "queue view ?queue&status=new": (
            "queue", rotating(queue_ids, lambda q: f"/desk/?queue={q}&status=new")
        ),
        "queue view ?view=unassigned": ("queue", lambda i: "/desk/?view=unassigned"),
        "search: common word": ("search", rotating(words["common"], lambda w: f"/desk/?q={w}")),
        "search: mid word": ("search", rotating(words["mid"], lambda w: f"/desk/?q={w}")),
        "search: rare word": ("search", rotating(words["rare"], lambda w: f"/desk/?q={w}")),
        "search: two words": (
            "search", rotating(two_words, lambda w: "/desk/?" + urlencode({"q": w}))
        ),
        "ticket page": ("ticket", lambda i: f"/desk/tickets/{numbers[i]}/"),
        "baseline /healthz": ("baseline", lambda i: "/healthz"),
    }  # fmt: skip

    port = free_port()
    log_path = path / "bench-server.log"
    print(f"{manifest['tickets']:,} tickets in {path}; load average {_load()}")
    print(f"Starting `relaydesk serve --no-worker --workers {args.workers}` on {HOST}:{port} ...")
    with open(log_path, "w", encoding="utf-8") as log_file:
        server = start_server(path, port, args.workers, log_file)
        try:
            wait_healthy(port, server, log_path, timeout=300)
            client = Client(port)
            how = sign_in(client, manifest["agent"], manifest["password"], path)
            print(f"Signed in as {manifest['agent']} ({how}).")
            status, _r, content = client.request("GET", "/desk/")
            if status != 200:
                raise SystemExit(f"/desk/ answered HTTP {status} after signing in.")
            first_next = next_link(content)
            if first_next:
                status, _r, content = client.request("GET", first_next)
                second_next = next_link(content) if status == 200 else None
                endpoints["queue view page 2"] = ("queue", lambda i: first_next)
                if second_next:
                    endpoints["queue view page 3"] = ("queue", lambda i: second_next)
            results = run(client, endpoints, args.requests, args.warmup, ServerCpu(server.pid))
        finally:
            stop_server(server)
    report(results, endpoints, manifest, args)


def run(
    client: Client, endpoints: dict, requests: int, warmup: int, cpu: ServerCpu
) -> dict[str, dict]:
    """Round-robin over the endpoints so that noise from the machine hits each alike."""
    results = {name: {"ms": [], "cpu_ms": [], "codes": {}} for name in endpoints}
    for i in range(warmup):
        for _name, (_kind, url_for) in endpoints.items():
            client.timed_get(url_for(i))
    started = time.monotonic()
    for i in range(requests):
        for name, (_kind, url_for) in endpoints.items():
            before = cpu.now()
            ms, status, _content = client.timed_get(url_for(warmup + i))
            after = cpu.now()
            result = results[name]
            result["ms"].append(ms)
            if before is not None and after is not None:
                result["cpu_ms"].append((after - before) / 1e6)
            result["codes"][status] = result["codes"].get(status, 0) + 1
    print(f"Measured {requests} requests per endpoint in {time.monotonic() - started:.0f} s"
          f" (load average now {_load()}).")  # fmt: skip
    return results


def report(results: dict, endpoints: dict, manifest: dict, args) -> None:
    rows = []
    for name, result in results.items():
        kind = endpoints[name][0]
        values, cpu = sorted(result["ms"]), sorted(result["cpu_ms"])
        p95 = percentile(values, 95)
        target = TARGETS.get(kind)
        rows.append({
            "endpoint": name, "requests": len(values), "p50_ms": round(percentile(values, 50), 1),
            "p95_ms": round(p95, 1), "max_ms": round(values[-1], 1) if values else None,
            "server_cpu_p50_ms": round(percentile(cpu, 50), 1) if cpu else None,
            "server_cpu_p95_ms": round(percentile(cpu, 95), 1) if cpu else None,
            "codes": result["codes"], "target_p95_ms": target,
            "ok": target is None or p95 <= target,
        })  # fmt: skip
    header = (f"{'endpoint':<30} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
              f" {'cpu p50':>8} {'cpu p95':>8}  codes")  # fmt: skip
    print()
    print(header)
    print("-" * len(header) + "-" * 20)
    for row in rows:
        codes = " ".join(f"{c}x{n}" for c, n in sorted(row["codes"].items()))
        mark = "" if row["ok"] else f"  (p95 target {row['target_p95_ms']:.0f} ms missed)"
        cpu50, cpu95 = row["server_cpu_p50_ms"], row["server_cpu_p95_ms"]
        cpu_text = f"{cpu50:>8.1f} {cpu95:>8.1f}" if cpu50 is not None else f"{'-':>8} {'-':>8}"
        print(f"{row['endpoint']:<30} {row['requests']:>8} {row['p50_ms']:>8.1f}"
              f" {row['p95_ms']:>8.1f} {row['max_ms']:>8.1f} {cpu_text}"
              f"  {codes}{mark}")  # fmt: skip
    print("\ncpu: CPU time the web server spent on one request (independent of other load).")
    print(f"p95 targets: queue view {TARGETS['queue']:.0f} ms, search {TARGETS['search']:.0f}"
          f" ms, ticket page {TARGETS['ticket']:.0f} ms (at 1,000,000 tickets).")  # fmt: skip
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(
            json.dumps(
                {"tickets": manifest["tickets"], "load": _load(), "results": rows}, indent=2
            ),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
