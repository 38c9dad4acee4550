"""Full-text search behind one small interface: SQLite FTS5 or PostgreSQL tsvector + GIN.

Documents are keyed by an integer id (a ticket's). Callers get matching ids newest first, in
bounded batches, and apply their own permission filters, so the search index never decides
who may see what.
"""

import re

from django.db import connection

TICKET_TABLE = "search_ticket"
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8


def terms(query: str) -> list[str]:
    """The words of QUERY, lower-cased, at most MAX_TERMS, with no search syntax in them."""
    return [w.lower() for w in _WORD.findall(query or "")][:MAX_TERMS]


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def create_tables(schema_connection) -> None:
    """Create the search tables (called from a migration)."""
    with schema_connection.cursor() as cursor:
        if schema_connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {TICKET_TABLE} ("
                " doc_id bigint PRIMARY KEY, subject tsvector NOT NULL, document tsvector NOT NULL)"
            )
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {TICKET_TABLE}_doc ON {TICKET_TABLE}"
                " USING gin(document)"
            )
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {TICKET_TABLE}_subj ON {TICKET_TABLE}"
                " USING gin(subject)"
            )
        else:
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {TICKET_TABLE} USING fts5("
                "subject, body, tokenize = 'porter unicode61 remove_diacritics 2')"
            )


def drop_tables(schema_connection) -> None:
    with schema_connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TICKET_TABLE}")


def index_ticket(doc_id: int, subject: str, body: str) -> None:
    """Insert or replace the document for DOC_ID."""
    with connection.cursor() as cursor:
        if _is_postgres():
            cursor.execute(
                f"INSERT INTO {TICKET_TABLE} (doc_id, subject, document) VALUES (%s,"
                " to_tsvector('english', %s),"
                " setweight(to_tsvector('english', %s), 'A') ||"
                " setweight(to_tsvector('english', %s), 'B'))"
                " ON CONFLICT (doc_id) DO UPDATE SET subject = EXCLUDED.subject,"
                " document = EXCLUDED.document",
                [doc_id, subject, subject, body],
            )
        else:
            cursor.execute(f"DELETE FROM {TICKET_TABLE} WHERE rowid = %s", [doc_id])
            cursor.execute(
                f"INSERT INTO {TICKET_TABLE} (rowid, subject, body) VALUES (%s, %s, %s)",
                [doc_id, subject, body],
            )


def remove_ticket(doc_id: int) -> None:
    with connection.cursor() as cursor:
        column = "doc_id" if _is_postgres() else "rowid"
        cursor.execute(f"DELETE FROM {TICKET_TABLE} WHERE {column} = %s", [doc_id])  # noqa: S608


def matching_ticket_ids(
    query: str, *, before_id: int | None = None, limit: int = 500, subject_only: bool = False
) -> list[int]:
    """Ids of documents matching every word of QUERY (the last as a prefix), newest first."""
    words = terms(query)
    if not words:
        return []
    params: list = []
    with connection.cursor() as cursor:
        if _is_postgres():
            tsquery = " & ".join(words[:-1] + [words[-1] + ":*"])
            column = "subject" if subject_only else "document"
            sql = (
                f"SELECT doc_id FROM {TICKET_TABLE}"  # noqa: S608
                f" WHERE {column} @@ to_tsquery('english', %s)"
            )
            params.append(tsquery)
            if before_id is not None:
                sql += " AND doc_id < %s"
                params.append(before_id)
            sql += " ORDER BY doc_id DESC LIMIT %s"
        else:
            # Each word is quoted, so nothing the user types is FTS5 syntax.
            phrase = " ".join(f'"{w}"' for w in words[:-1]) + f' "{words[-1]}"*'
            match = "{subject} : (" + phrase + ")" if subject_only else phrase
            sql = f"SELECT rowid FROM {TICKET_TABLE} WHERE {TICKET_TABLE} MATCH %s"  # noqa: S608
            params.append(match)
            if before_id is not None:
                sql += " AND rowid < %s"
                params.append(before_id)
            sql += " ORDER BY rowid DESC LIMIT %s"
        params.append(limit)
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
