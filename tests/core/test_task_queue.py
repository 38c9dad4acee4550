"""Enqueueing with the database task queue: rows written in the change's own transaction, one
INSERT per published event (with everything its sync subscribers caused), each deferred
subscriber once, nothing for rolled-back work, and a bad task never undoes the change."""

import logging

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from relaydesk.core import events, tasks
from relaydesk.tickets import services
from relaydesk.tickets.models import Ticket


def first(payload: dict) -> None:
    pass


def second(payload: dict) -> None:
    pass


def never(payload: dict) -> None:
    pass


def nested_then_fail(payload: dict) -> None:
    """A sync subscriber whose nested change is rolled back (its own savepoint)."""
    try:
        with transaction.atomic():
            events.publish("test.inner", {"ticket_id": payload["ticket_id"]})
            raise RuntimeError("the nested change fails after publishing")
    except RuntimeError:
        pass
    events.publish("test.kept", {"ticket_id": payload["ticket_id"]})


@pytest.fixture
def bus():
    saved = {name: list(subs) for name, subs in events._subscribers.items()}
    yield events
    events._subscribers.clear()
    events._subscribers.update(saved)


@pytest.fixture
def db_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return settings


def _rows(suffix: str = "") -> list[DBTaskResult]:
    return [
        row
        for row in DBTaskResult.objects.filter(task_path="relaydesk.core.tasks.deliver_event")
        if row.args_kwargs["args"][0].endswith(suffix)
    ]


def _task_inserts(queries) -> int:
    return sum('INSERT INTO "django_tasks_database_dbtaskresult"' in q["sql"] for q in queries)


def test_each_deferred_subscriber_gets_one_row_in_one_insert(bus, db_queue, customer, queue):
    bus.subscribe("ticket.created")(first)
    bus.subscribe("ticket.created")(second)
    with CaptureQueriesContext(connection) as ctx:
        ticket = services.open_ticket(
            actor=customer, requester=customer, subject="S", body="B", channel="web", queue=queue
        )
    assert [r.args_kwargs["args"][1]["ticket_id"] for r in _rows(".first")] == [ticket.id]
    assert len(_rows(".second")) == 1
    row = _rows(".first")[0]
    assert row.status == "READY" and row.backend_name == "default"
    assert row.task.func is tasks.deliver_event.func  # the worker can run it
    assert row.run_after.year == 9999  # "as soon as possible", as DatabaseBackend writes it
    # Everything this creation enqueued (search index, receipt, notifications, ours): one
    # INSERT, inside the transaction (no commit of its own).
    assert _task_inserts(ctx.captured_queries) == 1


def test_routing_events_share_the_insert_of_the_creation(bus, db_queue, customer, queue, agent):
    from relaydesk.routing.models import QueueStrategy

    QueueStrategy.objects.create(queue=queue, strategy=QueueStrategy.Strategy.ROUND_ROBIN)
    bus.subscribe("ticket.assigned")(first)
    with CaptureQueriesContext(connection) as ctx:
        ticket = services.open_ticket(
            actor=customer, requester=customer, subject="S", body="B", channel="web", queue=queue
        )
    assert ticket.assignee_id == agent.id  # the round-robin assignment happened...
    assert len(_rows(".first")) == 1  # ...its event was queued once...
    assert _task_inserts(ctx.captured_queries) == 1  # ...in the creation's INSERT


def test_rolled_back_work_enqueues_nothing(bus, db_queue, customer, queue):
    bus.subscribe("ticket.created", sync=True)(nested_then_fail)
    bus.subscribe("test.inner")(first)
    bus.subscribe("test.kept")(second)
    services.open_ticket(
        actor=customer, requester=customer, subject="S", body="B", channel="web", queue=queue
    )
    assert _rows(".first") == []  # its savepoint was rolled back
    assert len(_rows(".second")) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        services.open_ticket(
            actor=customer, requester=customer, subject="T", body="B", channel="web", queue=queue
        )
        raise RuntimeError("the request fails after the ticket was opened")
    assert len(_rows(".second")) == 1
    assert Ticket.objects.count() == 1


def test_applies_skips_the_task_when_it_says_no(bus, db_queue, customer, queue):
    bus.subscribe("ticket.created", applies=lambda p: p["channel"] == "email")(never)
    bus.subscribe("ticket.created", applies=lambda p: p["channel"] == "web")(first)
    services.open_ticket(
        actor=customer, requester=customer, subject="S", body="B", channel="web", queue=queue
    )
    assert _rows(".never") == []
    assert len(_rows(".first")) == 1


def test_a_task_that_cannot_be_queued_does_not_undo_the_change(db_queue, customer, queue, caplog):
    caplog.set_level(logging.ERROR)
    with transaction.atomic():
        ticket = services.open_ticket(
            actor=customer, requester=customer, subject="S", body="B", channel="web", queue=queue
        )
        tasks.enqueue_on_commit(
            [
                (tasks.deliver_event, ("tests.core.test_task_queue.first", {"bad": object()})),
                (tasks.deliver_event, ("tests.core.test_task_queue.second", {"ok": 1})),
            ]
        )
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    assert "could not enqueue" in caplog.text
    assert _rows(".first") == []
    assert len(_rows(".second")) == 1  # the good one of the same batch still went in
