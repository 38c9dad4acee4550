"""A small in-process scheduler: enqueue registered periodic tasks when they fall due.

`relaydesk serve` runs one scheduler process. It only enqueues; the task workers do the
work, so a slow job never delays the others.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    every_seconds: int
    enqueue: Callable[[], None]
    next_run: float = field(default=0.0)


_jobs: dict[str, Job] = {}


def periodic(name: str, every_seconds: int):
    """Register a task (a django-tasks Task) to be enqueued every EVERY_SECONDS."""

    def register(task):
        _jobs[name] = Job(name, every_seconds, task.enqueue)
        return task

    return register


def jobs() -> list[Job]:
    return list(_jobs.values())


def run_due(now: float) -> list[str]:
    """Enqueue every job whose time has come; return their names."""
    ran = []
    for job in _jobs.values():
        if now >= job.next_run:
            job.enqueue()
            job.next_run = now + job.every_seconds
            ran.append(job.name)
    return ran


def run_forever(tick: float = 1.0, stop: Callable[[], bool] = lambda: False) -> None:
    logger.info("scheduler started with %d jobs", len(_jobs))
    while not stop():
        try:
            run_due(time.monotonic())
        except Exception:
            logger.exception("scheduler tick failed; retrying next tick")
        time.sleep(tick)
