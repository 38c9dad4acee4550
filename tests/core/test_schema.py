"""The migrated schema matches the models, and the ticket tables carry no index that another
makes redundant (each is one more write per row) while every foreign key stays indexed."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db

HOT_TABLES = ["tickets_ticket", "tickets_message", "tickets_event", "tickets_attachment"]


def test_models_have_no_unmigrated_changes():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def _indexes(table: str) -> list[list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [c["columns"] for c in constraints.values() if c["index"] or c["unique"]]


@pytest.mark.parametrize("table", HOT_TABLES)
def test_no_index_is_the_leading_part_of_another(table):
    indexes = _indexes(table)
    redundant = [
        a for a in indexes for b in indexes if a is not b and len(a) < len(b) and b[: len(a)] == a
    ]
    assert redundant == []


@pytest.mark.parametrize("table", HOT_TABLES)
def test_every_foreign_key_leads_an_index(table):
    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    leading = {columns[0] for columns in _indexes(table) if columns}
    foreign_keys = {f.column for f in model._meta.concrete_fields if f.many_to_one}
    assert foreign_keys - leading == set()
