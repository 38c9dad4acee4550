"""Domain events: sync subscribers run inside the change, the others after commit in the task
queue (tests use django-tasks' ImmediateBackend), and a failing subscriber breaks nothing."""

from types import SimpleNamespace

import pytest
from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks.signals import task_finished

from relaydesk.core import events, tasks
from relaydesk.core.tasks import deliver_event
from relaydesk.tickets import services
from relaydesk.tickets.models import Ticket

calls: list[tuple[str, dict]] = []


def record_deferred(payload: dict) -> None:
    calls.append(("deferred", payload))


def record_sync(payload: dict) -> None:
    # A sync subscriber runs inside the writing transaction: the ticket row is there.
    calls.append(("sync", {**payload, "row_exists": Ticket.objects.filter(
        id=payload["ticket_id"]).exists()}))  # fmt: skip


def explode(payload: dict) -> None:
    raise RuntimeError("webhook endpoint is down")


@pytest.fixture
def bus():
    """Register test subscribers; restore the real registry afterwards."""
    saved = {name: list(subs) for name, subs in events._subscribers.items()}
    calls.clear()
    yield events
    events._subscribers.clear()
    events._subscribers.update(saved)
    calls.clear()


@pytest.fixture
def finished_tasks():
    results = []

    def on_finished(sender, task_result, **kwargs):
        results.append(task_result)

    task_finished.connect(on_finished)
    yield results
    task_finished.disconnect(on_finished)


def _deliveries(results):
    """The event deliveries among all finished tasks (other apps run tasks of their own)."""
    return [r for r in results if r.task.func is deliver_event.func]


def test_deferred_subscribers_run_only_after_commit(
    bus, customer, queue, django_capture_on_commit_callbacks
):
    bus.subscribe("ticket.created")(record_deferred)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ticket = services.open_ticket(
            actor=customer, requester=customer, subject="S", body="B", channel="web", queue=queue
        )
        assert calls == []  # nothing ran while the transaction was open
    assert callbacks, "the event was not scheduled for commit"
    for callback in callbacks:
        callback()
    [(kind, payload)] = [c for c in calls if c[0] == "deferred"]
    assert payload["event"] == "ticket.created"
    assert (payload["ticket_id"], payload["number"]) == (ticket.id, ticket.number)
    assert payload["actor_id"] == customer.id
    assert payload["channel"] == "web"


def test_sync_subscribers_run_inside_the_transaction(
    bus, customer, queue, django_capture_on_commit_callbacks
):
    bus.subscribe("ticket.created", sync=True)(record_sync)
    with django_capture_on_commit_callbacks(execute=False):
        services.open_ticket(
            actor=customer, requester=customer, subject="S", body="B", channel="web", queue=queue
        )
        [(kind, payload)] = calls
    assert kind == "sync" and payload["row_exists"] is True


def test_deferred_subscribers_go_through_the_task_queue(
    bus, ticket, agent, finished_tasks, django_capture_on_commit_callbacks
):
    bus.subscribe("ticket.assigned")(record_deferred)
    with django_capture_on_commit_callbacks(execute=True):
        services.assign(ticket, actor=agent, assignee=agent)
    mine = [r for r in _deliveries(finished_tasks) if r.args[0].endswith("record_deferred")]
    assert len(mine) == 1
    assert mine[0].task.func is deliver_event.func
    assert mine[0].status == TaskResultStatus.SUCCESSFUL
    assert mine[0].args[1]["event"] == "ticket.assigned"
    assert mine[0].args[1]["assignee_id"] == agent.id
    assert [c[1]["event"] for c in calls] == ["ticket.assigned"]


def test_wildcard_subscribers_get_every_event(
    bus, ticket, agent, django_capture_on_commit_callbacks
):
    bus.subscribe("*")(record_deferred)
    with django_capture_on_commit_callbacks(execute=True):
        services.assign(ticket, actor=agent, assignee=agent)
        services.post_message(ticket, actor=agent, body="Hi", channel="desk")
    names = iter(payload["event"] for _kind, payload in calls)
    # In this order (other apps' subscribers may publish more events in between).
    for expected in ["ticket.assigned", "ticket.status_changed", "message.posted"]:
        assert expected in names


def test_a_failing_subscriber_does_not_undo_the_change(
    bus, ticket, agent, finished_tasks, django_capture_on_commit_callbacks
):
    bus.subscribe("ticket.status_changed")(explode)
    bus.subscribe("ticket.status_changed")(record_deferred)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(ticket, actor=agent, status=Ticket.Status.RESOLVED)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert ticket.events.filter(kind="status", new_value="resolved").exists()
    by_subscriber = {r.args[0].rsplit(".", 1)[-1]: r.status for r in _deliveries(finished_tasks)}
    assert by_subscriber["explode"] == TaskResultStatus.FAILED
    # The others still ran.
    assert by_subscriber["record_deferred"] == TaskResultStatus.SUCCESSFUL
    assert [c[1]["new"] for c in calls] == ["resolved"]


def test_nothing_is_published_when_the_change_rolls_back(
    bus, customer, queue, django_capture_on_commit_callbacks
):
    bus.subscribe("ticket.created")(record_deferred)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.open_ticket(
                actor=customer, requester=customer, subject="S", body="B", channel="web",
                queue=queue,
            )  # fmt: skip
            raise RuntimeError("something later in the same request failed")
    assert callbacks == []
    assert calls == []
    assert not Ticket.objects.exists()


def test_every_registered_deferred_subscriber_can_be_found_by_the_worker():
    """The worker looks subscribers up by dotted path; each must resolve to itself."""
    subscribers = [s for subs in events._subscribers.values() for s in subs if not s.sync]
    assert subscribers, "the tickets app registers at least its search indexer"
    for sub in subscribers:
        assert events.handler_by_path(sub.path) is sub.handler
    with pytest.raises(LookupError):
        events.handler_by_path("relaydesk.nowhere.nothing")


def test_a_queue_that_cannot_take_the_task_does_not_fail_the_committed_change(
    bus, customer, queue, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    bus.subscribe("ticket.created")(record_deferred)

    def queue_down(*args, **kwargs):
        raise ConnectionError("task queue unreachable")

    monkeypatch.setattr(tasks, "deliver_event", SimpleNamespace(enqueue=queue_down))
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.open_ticket(
            actor=customer, requester=customer, subject="S", body="B", channel="web", queue=queue
        )
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    assert calls == []
    assert "task queue unreachable" in caplog.text
