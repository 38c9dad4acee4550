"""The migrated schema matches the models, and the ticket tables carry no index that another
makes redundant (each is one more write per row) while every foreign key stays indexed; the
agent search's batches of ids are checked by seeking, not by reading whole queues."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db

HOT_TABLES = ["tickets_ticket", "tickets_message", "tickets_event", "tickets_attachment"]


def test_models_have_no_unmigrated_changes():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)  # exits if there are
    assert "No changes detected" in out.getvalue()


def _indexes(table: str) -> list[list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [c["columns"] for c in constraints.values() if c["index"] or c["unique"]]


@pytest.mark.parametrize("table", HOT_TABLES)
def test_no_index_is_another_without_its_last_column_the_id(table):
    """(a) is redundant beside (a, id): the database keeps an index's entries in id order
    within a value anyway. Beside (a, b, ...) it is not: it seeks (a, id) pairs, which a
    search's batch of candidate ids needs (bench/README.md)."""
    indexes = _indexes(table)
    redundant = [
        a
        for a in indexes
        for b in indexes
        if len(b) == len(a) + 1 and b[: len(a)] == a and b[-1] == "id"
    ]
    assert redundant == []


@pytest.mark.parametrize("table", HOT_TABLES)
def test_every_foreign_key_leads_an_index(table):
    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    leading = {columns[0] for columns in _indexes(table) if columns}
    foreign_keys = {f.column for f in model._meta.concrete_fields if f.many_to_one}
    assert foreign_keys - leading == set()


@pytest.mark.sqlite  # SQLite's plan without statistics; PostgreSQL plans with them
def test_a_search_batch_is_checked_against_the_agents_queues_by_seeking(agent, queue):
    """The plan of the visibility check on a batch of candidate ids: no index read over all
    of a queue's tickets (at a million tickets that read cost 60-70 ms a search)."""
    from relaydesk.tickets.queries import visible_tickets

    batch = visible_tickets(agent).filter(id__in=list(range(1, 501))).values_list("id")
    sql, params = batch.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " | ".join(row[-1] for row in cursor.fetchall())
    assert "queue_id" in plan, plan  # the agent's queues are part of the check
    assert "tk_queue" not in plan and "tk_assignee" not in plan, plan
