"""The prepared writes store exactly what the ORM's save() would, on SQLite and PostgreSQL."""

import datetime as dt

import pytest
from django.db.models import signals
from django.utils import timezone

from relaydesk.core import fastsql
from relaydesk.routing.models import QueueStrategy
from relaydesk.tickets.models import Event, Ticket

pytestmark = pytest.mark.django_db

COMPARED = ("number", "subject", "status", "priority", "channel", "queue_id", "tier",
            "requester_id", "organization_id", "assignee_id", "custom", "created_at",
            "updated_at")  # fmt: skip


def _ticket(number, customer, queue, **extra):
    moment = dt.datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=dt.UTC)  # a DST change day
    return Ticket(number=number, subject="Printer ✓ jammed", channel="email", queue=queue,
                  requester=customer, organization_id=customer.organization_id,
                  custom={"asset": "PRN-7", "floors": [1, 2], "ok": True},
                  created_at=moment, updated_at=moment, **extra)  # fmt: skip


def test_insert_stores_the_same_row_as_save(customer, queue):
    by_orm = _ticket(1, customer, queue)
    by_orm.save()
    fast = _ticket(2, customer, queue)
    fastsql.insert([fast])
    assert fast.pk is not None and fast.pk != by_orm.pk
    assert not fast._state.adding
    rows = {t.number: t for t in Ticket.objects.filter(pk__in=[by_orm.pk, fast.pk])}
    for name in COMPARED:
        if name != "number":
            assert getattr(rows[2], name) == getattr(rows[1], name), name
    assert rows[2].custom == {"asset": "PRN-7", "floors": [1, 2], "ok": True}


def test_insert_of_several_rows_returns_each_its_own_key(customer, queue):
    ticket = _ticket(3, customer, queue)
    fastsql.insert([ticket])
    events = [Event(ticket=ticket, kind=Event.Kind.FIELD, new_value=f"v{i}") for i in range(5)]
    fastsql.insert(events)
    stored = dict(Event.objects.filter(ticket=ticket).values_list("id", "new_value"))
    assert stored == {e.pk: e.new_value for e in events}


def test_update_writes_only_the_named_fields(customer, queue):
    ticket = _ticket(4, customer, queue)
    fastsql.insert([ticket])
    later = timezone.now()
    ticket.subject, ticket.priority, ticket.updated_at = "Changed", 4, later
    Ticket.objects.filter(pk=ticket.pk).update(tier=3)  # someone else's change stays
    assert fastsql.update(ticket, ["priority", "updated_at"]) == 1
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.subject, stored.priority, stored.tier) == ("Printer ✓ jammed", 4, 3)
    assert stored.updated_at == later


def test_select_one_reads_typed_values_back(customer, queue):
    ticket = _ticket(5, customer, queue)
    fastsql.insert([ticket])
    read = fastsql.select_one(Ticket, "number", 5, for_update=True)
    orm = Ticket.objects.get(number=5)
    for name in COMPARED:
        assert getattr(read, name) == getattr(orm, name), name
    assert isinstance(read.created_at, dt.datetime) and read.created_at.tzinfo is not None
    assert fastsql.select_one(Ticket, "number", 999) is None


def test_models_with_save_receivers_are_refused_unless_the_caller_says_so(queue):
    def receiver(**kwargs):
        pass

    strategy = QueueStrategy.objects.create(queue=queue)  # pool caches listen to its saves
    assert signals.post_save.has_listeners(QueueStrategy)
    with pytest.raises(TypeError, match="receivers"):
        fastsql.update(strategy, ["strategy"])
    strategy.strategy = QueueStrategy.Strategy.ROUND_ROBIN
    assert fastsql.update(strategy, ["strategy"], signals_ok=True) == 1
    assert QueueStrategy.objects.get(pk=strategy.pk).strategy == "round_robin"
    signals.pre_save.connect(receiver, sender=Event, weak=False, dispatch_uid="t-fastsql")
    try:
        with pytest.raises(TypeError, match="tickets.Event"):
            fastsql.insert([Event(kind=Event.Kind.FIELD)])
    finally:
        signals.pre_save.disconnect(sender=Event, dispatch_uid="t-fastsql")


def test_values_reads_one_column_of_the_matching_rows(customer, queue):
    from relaydesk.routing.models import TicketTag

    ticket, other = _ticket(6, customer, queue), _ticket(7, customer, queue)
    fastsql.insert([ticket])
    fastsql.insert([other])
    fastsql.insert([TicketTag(ticket=ticket, name=n) for n in ("vpn", "urgent")])
    fastsql.insert([TicketTag(ticket=other, name="printer")])
    assert sorted(fastsql.values(TicketTag, "name", "ticket", ticket.id)) == ["urgent", "vpn"]
    assert fastsql.values(TicketTag, "name", "ticket", 10**9) == []
