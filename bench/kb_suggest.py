"""Latency of knowledge base suggestions (the portal's as-you-type article list).

    .venv/bin/python bench/kb_suggest.py [--articles 10000] [--requests 400] [--data-dir DIR]
                                         [--direct] [--port 8765]

Makes a fresh SQLite database in a temporary data dir (or DIR), generates N articles
(public, organization-only and internal; published, draft and archived) in categories, then
serves it with `relaydesk serve --no-worker` and times GET /kb/suggest/?q=... as an
anonymous visitor types (prefixes of request subjects and descriptions): p50, p95, p99.
With --direct, or when the server has no /kb/suggest/ endpoint, it times
knowledge.queries.suggest() in-process instead. Target: p95 under 30 ms.

Articles are written with bulk inserts plus core.search.index_article, not through
knowledge.services (which also writes a revision each): a benchmark seed, not a write path.
"""

import argparse
import http.client
import itertools
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, setup_django, vocabulary  # noqa: E402

TOPICS = """laptop printer vpn outlook teams excel monitor docking wifi phone password account
mailbox calendar drive sharepoint onedrive erp crm payroll badge scanner headset webcam
keyboard license invoice payment contract portal browser certificate firewall server
database report dashboard backup mfa token toner spooler proxy dns""".split()
ACTIONS = """reset configure install update replace connect troubleshoot restore unlock
request renew sync share export print scan""".split()
PROBLEMS = [
    "is not working", "is very slow", "keeps crashing", "cannot connect", "access denied",
    "error after the update", "stopped syncing", "asks for my password again", "locked out",
    "shows a blank screen", "disconnects every few minutes", "will not start", "cannot print",
]  # fmt: skip


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def seed(count: int, rng: random.Random) -> None:
    from django.db import transaction

    from relaydesk.accounts.models import Organization, User
    from relaydesk.core import search
    from relaydesk.core.html import text_to_html
    from relaydesk.knowledge.models import Article, ArticleTranslation, Category

    # Body text: words drawn with Zipf's law (frequency ~ 1/rank) from the help-desk vocabulary
    # without the topic words; each article then names its own topic a few times and
    # sometimes a neighbouring one, as real articles do.
    topics = set(TOPICS)
    words = [w for w in vocabulary(tail=5000) if w not in topics]
    weights = list(itertools.accumulate(1 / rank for rank in range(1, len(words) + 1)))
    author = User.objects.create_user("kb.author@relaydesk.bench", role=User.Role.AGENT)
    orgs = [Organization.objects.create(name=f"Bench org {i}") for i in range(20)]
    roots = [Category.objects.create(name=t.title(), slug=f"c-{t}") for t in TOPICS[:12]]
    cats = roots + [
        Category.objects.create(name=f"{r.name} {a}", slug=f"c-{r.slug}-{a}", parent=r)
        for r in roots
        for a in ACTIONS[:4]
    ]
    V, S = Article.Visibility, Article.Status
    with transaction.atomic():
        for start in range(0, count, 1000):
            batch = []
            texts = []
            for _ in range(start, min(count, start + 1000)):
                topic = rng.choice(TOPICS)
                title = f"{rng.choice(ACTIONS).title()} {topic}: {rng.choice(PROBLEMS)}"
                filler = rng.choices(words, cum_weights=weights, k=rng.randint(60, 250))
                for _ in range(rng.randint(2, 5)):
                    filler.insert(rng.randrange(len(filler)), topic)
                if rng.random() < 0.3:
                    filler.insert(rng.randrange(len(filler)), rng.choice(TOPICS))
                body = f"When the {topic} {rng.choice(PROBLEMS)}, " + " ".join(filler)
                visibility = rng.choices([V.PUBLIC, V.ORGANIZATION, V.INTERNAL], [70, 10, 20])[0]
                status = rng.choices([S.PUBLISHED, S.DRAFT, S.ARCHIVED], [85, 10, 5])[0]
                batch.append(
                    Article(
                        status=status,
                        visibility=visibility,
                        category=rng.choice(cats),
                        author=author,
                        view_count=rng.randint(0, 5000),
                    )
                )
                texts.append((title, body))
            articles = Article.objects.bulk_create(batch)
            translations = ArticleTranslation.objects.bulk_create(
                ArticleTranslation(
                    article=a, language="en", title=t, body_html=text_to_html(b), body_text=b
                )
                for a, (t, b) in zip(articles, texts, strict=True)
            )
            Article.organizations.through.objects.bulk_create(
                Article.organizations.through(article_id=a.id, organization=rng.choice(orgs))
                for a in articles
                if a.visibility == V.ORGANIZATION
            )
            for tr in translations:
                search.index_article(tr.id, tr.article_id, "en", tr.title, tr.body_text)
    with transaction.atomic():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {search.ARTICLE_TABLE}({search.ARTICLE_TABLE}) VALUES ('optimize')"
            )


def typed_queries(n: int, rng: random.Random) -> list[str]:
    """What a customer has typed so far: a subject, maybe part of a description, cut
    mid-word as keystrokes arrive."""
    out = []
    for _ in range(n):
        topic = rng.choice(TOPICS)
        text = f"My {topic} {rng.choice(PROBLEMS)}"
        if rng.random() < 0.5:
            text += f" since this morning, I tried to {rng.choice(ACTIONS)} it but the {topic}"
        cut = rng.randint(max(3, len(text) // 3), len(text))
        out.append(text[:cut])
    return out


def bench_direct(queries_: list[str]) -> list[float]:
    from django.contrib.auth.models import AnonymousUser

    from relaydesk.knowledge import queries

    anonymous = AnonymousUser()
    for q in queries_[:20]:
        queries.suggest(anonymous, q)  # warm the page cache
    times = []
    for q in queries_:
        t = time.perf_counter()
        queries.suggest(anonymous, q)
        times.append((time.perf_counter() - t) * 1000)
    return times


def start_server(path: Path, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "RELAYDESK_DATA_DIR": str(path),
        "DJANGO_SETTINGS_MODULE": "relaydesk.settings",
        "RELAYDESK_SECRET_KEY": "bench-secret-key-bench-secret-key-0123456789",
    }
    env.pop("DATABASE_URL", None)
    cmd = [sys.executable, "-m", "relaydesk.cli", "serve", "--no-worker", "--no-demo",
           "--port", str(port), "--workers", "2"]  # fmt: skip
    proc = subprocess.Popen(  # noqa: S603
        cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("the server did not start")


def stop_server(proc: subprocess.Popen) -> None:
    import signal

    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def bench_http(port: int, queries_: list[str]) -> list[float] | None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def get(q):
        conn.request("GET", "/kb/suggest/?" + urllib.parse.urlencode({"q": q}))
        response = conn.getresponse()
        response.read()
        return response.status

    if get(queries_[0]) == 404:
        return None
    for q in queries_[:20]:
        get(q)
    times = []
    for q in queries_:
        t = time.perf_counter()
        status = get(q)
        times.append((time.perf_counter() - t) * 1000)
        assert status == 200, status
    return times


def report(label: str, times: list[float]) -> None:
    print(
        f"{label}: n={len(times)} p50={statistics.median(times):.1f} ms"
        f" p95={percentile(times, 95):.1f} ms p99={percentile(times, 99):.1f} ms"
        f" max={max(times):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--data-dir", help="default: a temporary directory, removed after")
    parser.add_argument("--direct", action="store_true", help="time suggest() in-process only")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    path = Path(args.data_dir or tempfile.mkdtemp(prefix="relaydesk-kb-bench-"))
    path.mkdir(parents=True, exist_ok=True)
    try:
        setup_django(path)
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        rng = random.Random(4)
        t = time.perf_counter()
        seed(args.articles, rng)
        print(f"seeded {args.articles} articles in {time.perf_counter() - t:.1f} s ({path})")
        queries_ = typed_queries(args.requests, rng)
        times = None
        if not args.direct:
            from django.db import connections

            connections.close_all()
            proc = start_server(path, args.port)
            try:
                times = bench_http(args.port, queries_)
            finally:
                stop_server(proc)
            if times is None:
                print("no /kb/suggest/ endpoint yet: timing queries.suggest() directly")
            else:
                report("GET /kb/suggest/ over HTTP (anonymous)", times)
        if times is None:
            report("queries.suggest() in-process (anonymous)", bench_direct(queries_))
        else:
            report("queries.suggest() in-process (anonymous)", bench_direct(queries_))
    finally:
        if not args.data_dir:
            shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
