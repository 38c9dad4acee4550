"""Background tasks of the core, and how every app enqueues tasks for after a commit.

`enqueue_on_commit` is the one way the apps hand work to the task queue from inside a change.
With the database queue (`django_tasks_db`) on the same database, the task rows are written
in the change's own transaction: they become visible to the worker exactly when the change
commits, vanish with it if it does not, and cost no commit of their own. Within a `batch()`
(the event bus opens one around each event it publishes, so an event and everything its
synchronous subscribers cause share it) the rows wait and go in one INSERT when the batch
ends; rows of events whose savepoint was rolled back in the meantime are left out.

With any other queue (Redis, or the tests' immediate backend) the tasks are enqueued once
the transaction has committed, and a queue that cannot take them is logged: it never turns
a saved change into an error.
"""

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.core.management import call_command
from django.db import router, transaction
from django_tasks import task
from django_tasks.base import Task
from django_tasks.signals import task_enqueued

from relaydesk.core import fastsql
from relaydesk.core.events import handler_by_path
from relaydesk.core.scheduler import periodic

logger = logging.getLogger(__name__)

Call = tuple[Task, Sequence]  # (task, positional arguments)


@task()
def deliver_event(subscriber_path: str, payload: dict) -> None:
    """Run one subscriber for one event, in the worker."""
    handler_by_path(subscriber_path)(payload)


@periodic("prune-task-results", every_seconds=3600)
@task()
def prune_task_results() -> None:
    """Keep the task table small: finished results go after 7 days, failed ones after 30."""
    call_command("prune_db_task_results", min_age_days=7, failed_min_age_days=30, verbosity=0)


# --- enqueueing ------------------------------------------------------------------------------


def enqueue_on_commit(calls: Iterable[Call]) -> None:
    """Enqueue each (task, args) of CALLS so that it runs only if the current change commits."""
    calls = list(calls)
    if not calls:
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block and _in_transaction_queue(calls, connection.alias):
        pending = (_batches.get() or {}).get(connection.alias)
        if connection.needs_rollback:
            return  # this (part of the) change can only be rolled back: nothing to run
        if pending is None:
            _insert_rows(calls)
        else:
            # A savepoint rolled back later drops this no-op hook from Django's list of
            # commit hooks: that is how flush() knows the calls were undone.
            marker = _Marker()
            transaction.on_commit(marker)
            pending.append((marker, calls))
    else:
        # robust: the change is committed by now; a queue that cannot take the task must not
        # turn a saved change into an error page (and a resubmitted, duplicate ticket).
        transaction.on_commit(partial(_enqueue_each, calls), robust=True)


class _Marker:
    """A commit hook that does nothing; its presence says its savepoint still stands."""

    __slots__ = ()

    def __call__(self) -> None:
        pass


Pending = list[tuple[_Marker, list[Call]]]
# The open batch of this thread (or asyncio task): database alias -> the calls waiting for
# the end of the outermost batch, each with its marker.
_batches: ContextVar[dict[str, Pending] | None] = ContextVar("task_batches", default=None)


@contextmanager
def batch(using: str | None = None) -> Iterator[None]:
    """Collect the database queue's rows enqueued within this block into one INSERT."""
    connection = transaction.get_connection(using)
    batches = _batches.get() or {}
    if connection.alias in batches or not connection.in_atomic_block:
        yield  # an outer batch collects them; outside a transaction there is nothing to do
        return
    pending: Pending = []
    token = _batches.set({**batches, connection.alias: pending})
    try:
        yield
    except BaseException:
        _batches.reset(token)
        try:
            _flush(connection, pending)  # what still stands of the change is still queued
        except Exception:
            logger.exception("could not enqueue the tasks of a failing change")
        raise
    _batches.reset(token)
    _flush(connection, pending)


def _flush(connection, pending: Pending) -> None:
    if not pending or connection.needs_rollback:
        return  # nothing to write, or a transaction that can only roll back
    # Django drops the commit hooks of a rolled-back savepoint: a marker still in the list
    # means the change that enqueued its calls still stands.
    standing = {id(hook[1]) for hook in connection.run_on_commit}
    _insert_rows([call for marker, calls in pending if id(marker) in standing for call in calls])


def _database_backend_class():
    try:
        from django_tasks_db.backend import DatabaseBackend
    except ImportError:  # pragma: no cover - the database queue is not installed
        return None
    return DatabaseBackend


def _in_transaction_queue(calls: list[Call], alias: str) -> bool:
    """True when every task of CALLS goes to the database queue stored on database ALIAS."""
    backend_class = _database_backend_class()
    if backend_class is None:
        return False
    from django_tasks_db.models import DBTaskResult

    if router.db_for_write(DBTaskResult) != alias:
        return False
    for task_, _args in calls:
        if not isinstance(task_, Task) or not isinstance(task_.get_backend(), backend_class):
            return False
    return True


def _insert_rows(calls: list[Call]) -> None:
    """Write the task rows the way DatabaseBackend.enqueue does, in one INSERT."""
    from django_tasks_db.compat import normalize_json
    from django_tasks_db.models import DBTaskResult, get_date_max

    rows, backends = [], []
    for task_, args in calls:
        backend = task_.get_backend()
        try:
            backend.validate_task(task_)
            rows.append(
                DBTaskResult(
                    id=backend._get_id(),
                    args_kwargs=normalize_json({"args": tuple(args), "kwargs": {}}),
                    priority=task_.priority,
                    task_path=task_.module_path,
                    queue_name=task_.queue_name,
                    # DatabaseBackend fills this in a pre_save signal, which bulk_create skips.
                    run_after=task_.run_after or get_date_max(),
                    backend_name=backend.alias,
                )
            )
            backends.append(backend)
        except Exception:  # a task that cannot be queued must not undo the change
            logger.exception("could not enqueue %s%r", task_.module_path, tuple(args))
    if not rows:
        return
    # Without DBTaskResult's pre_save receiver, as bulk_create would: run_after is set above.
    fastsql.insert(rows, signals_ok=True)
    if _enqueued_is_heard():
        transaction.on_commit(partial(_announce, rows, backends), robust=True)


def _enqueued_is_heard() -> bool:
    """Whether sending `task_enqueued` does anything: building each row's TaskResult for it
    costs as much as the INSERT, and by default only a debug log line listens."""
    from django_tasks.signals import log_task_enqueued

    if logging.getLogger("django_tasks").isEnabledFor(logging.DEBUG):
        return True
    try:
        sync_receivers, async_receivers = task_enqueued._live_receivers(None)
    except (AttributeError, TypeError, ValueError):  # another Django: assume someone listens
        return True
    return any(r is not log_task_enqueued for r in (*sync_receivers, *async_receivers))


def _announce(rows, backends) -> None:
    """What DatabaseBackend.enqueue does after its INSERT, once the rows are committed."""
    for row, backend in zip(rows, backends, strict=True):
        task_enqueued.send(type(backend), task_result=row.task_result)


def _enqueue_each(calls: list[Call]) -> None:
    for task_, args in calls:
        try:
            task_.enqueue(*args)
        except Exception:
            logger.exception("could not enqueue %s", getattr(task_, "module_path", task_))
