"""The SQLite connection settings a deployment relies on are in force on every connection."""

import pytest
from django.db import connection

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]


def _pragma(name: str):
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def test_connections_checkpoint_every_4000_pages_and_cap_the_log():
    assert _pragma("wal_autocheckpoint") == 4000
    assert _pragma("journal_size_limit") == 64 * 1024 * 1024
    assert _pragma("synchronous") == 1  # NORMAL: with WAL, safe against an application crash
    assert _pragma("busy_timeout") == 10_000
