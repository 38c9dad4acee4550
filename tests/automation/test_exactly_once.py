"""Two scheduler worker processes race for the same slots: each slot runs exactly once, and
each due ticket is acted on exactly once. On SQLite (a shared file) and, when DATABASE_URL
is set, on PostgreSQL."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from relaydesk.automation.leases import claim, run_once_per_slot
from relaydesk.automation.models import JobLease

WORKER = Path(__file__).with_name("lease_worker.py")
ROOT = WORKER.parents[2]
TICKETS, SLOTS = 30, 25


def _run(env, *args, timeout=120):
    return subprocess.run(
        [sys.executable, str(WORKER), *map(str, args)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


def _race(env) -> list[dict]:
    start = time.time() + 3  # both processes are up and waiting by then
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), "race", str(start), str(SLOTS)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def _check(results, count_runs, count_notes):
    won = sorted(results[0]["won"] + results[1]["won"])
    assert won == list(range(SLOTS)), "every slot ran exactly once"
    assert results[0]["acted"] + results[1]["acted"] == TICKETS
    assert count_runs() == TICKETS
    assert count_notes() == TICKETS


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(
        DJANGO_SETTINGS_MODULE="relaydesk.settings",
        RELAYDESK_SECRET_KEY="x" * 50,
        RELAYDESK_TASK_BACKEND="django_tasks.backends.dummy.DummyBackend",
        **extra,
    )
    return env


def test_two_workers_on_sqlite(tmp_path):
    env = _env(RELAYDESK_DATA_DIR=str(tmp_path))
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "relaydesk.cli", "migrate", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    _run(env, "seed", TICKETS)
    results = _race(env)
    import sqlite3

    db = sqlite3.connect(tmp_path / "relaydesk.sqlite3")

    def one(sql):
        return db.execute(sql).fetchone()[0]

    _check(
        results,
        lambda: one("SELECT COUNT(*) FROM automation_scheduledrulerun"),
        lambda: one(
            "SELECT COUNT(*) FROM tickets_message WHERE is_internal = 1 "
            "AND body_text = 'Reminder sent'"
        ),
    )
    assert len({r["pid"] for r in results}) == 2


@pytest.mark.postgres
def test_two_workers_on_postgres(transactional_db):
    s = connection.settings_dict
    url = (
        f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or 'localhost'}:"
        f"{s['PORT'] or 5432}/{s['NAME']}"
    )
    env = _env(DATABASE_URL=url)
    _run(env, "seed", TICKETS)
    results = _race(env)
    from relaydesk.automation.models import ScheduledRuleRun
    from relaydesk.tickets.models import Message

    _check(
        results,
        ScheduledRuleRun.objects.count,
        Message.objects.filter(is_internal=True, body_text="Reminder sent").count,
    )


def test_claim_is_once_per_slot(db):
    import datetime as dt

    t = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    assert claim("job", 60, t) is True
    assert claim("job", 60, t + dt.timedelta(seconds=30)) is False  # same minute
    assert claim("job", 60, t + dt.timedelta(seconds=61)) is True
    assert run_once_per_slot("job", 60, lambda: "ran", t + dt.timedelta(seconds=62)) is None
    assert JobLease.objects.get(name="job").last_slot == int(t.timestamp() // 60) + 1
