"""Exactly one run per time slot of a periodic job, however many schedulers enqueue it.

Time is cut into slots of EVERY seconds. Whoever moves the job's lease row from an older slot
to the current one with a single conditional UPDATE runs the job; everyone else sees zero
rows updated and does nothing. The UPDATE is atomic on SQLite (one writer at a time) and on
PostgreSQL (the row lock makes a concurrent UPDATE re-check its WHERE clause), so it needs no
SELECT ... FOR UPDATE and holds no lock while the job runs. A job that fails loses its slot;
the next slot runs it again.
"""

import os
import socket
from collections.abc import Callable

from django.utils import timezone

from relaydesk.automation.models import JobLease


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def claim(name: str, every_seconds: int, now=None) -> bool:
    """True when this process won job NAME's current slot."""
    now = now or timezone.now()
    slot = int(now.timestamp() // every_seconds)
    JobLease.objects.bulk_create([JobLease(name=name)], ignore_conflicts=True)
    won = JobLease.objects.filter(name=name, last_slot__lt=slot).update(
        last_slot=slot, holder=worker_name(), claimed_at=now
    )
    return won == 1


def run_once_per_slot(name: str, every_seconds: int, job: Callable[[], object], now=None):
    """Run JOB if this process claims the slot; return its result, or None when it did not."""
    if claim(name, every_seconds, now):
        return job()
    return None
