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
    """Ids of documents matching every word of QUERY (the last as a prefix), newest first.

    A last word shorter than MIN_PREFIX is matched whole: as a prefix it would expand to
    most of the vocabulary ("p"* takes ~750 ms at a million tickets, "pa"* ~90 ms).
    """
    words = terms(query)
    if not words:
        return []
    prefix = len(words[-1]) >= MIN_PREFIX
    params: list = []
    with connection.cursor() as cursor:
        if _is_postgres():
            tsquery = " & ".join(words[:-1] + [words[-1] + (":*" if prefix else "")])
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
            phrase = " ".join(f'"{w}"' for w in words[:-1]) + f' "{words[-1]}"'
            phrase += "*" if prefix else ""
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


# --- knowledge base articles ---------------------------------------------------------------
#
# One document per article translation (doc_id = the translation's id), with the article id
# and language alongside. Results are ranked (title weighted above body), and callers pass
# the set of article ids the viewer may read, so ranking and permission filtering happen in
# one query and a page of results is never emptied by articles the viewer cannot see.

ARTICLE_TABLE = "search_article"
ARTICLE_VOCAB = "search_article_vocab"
ARTICLE_MAX_TERMS = 16
TITLE_WEIGHT = 10.0  # bm25 column weight of the title against 1.0 for the body (SQLite)
MIN_PREFIX = 3  # a last word shorter than this is matched whole, not as a prefix
COMMON_SHARE = 0.08  # a word in more than this share of the documents does not rank (any-word)
COMMON_MIN_DOCS = 50

# Words that say nothing about what an article is about; dropped from suggestion queries so
# "my printer is not printing" ranks by "printer" and "printing" only.
STOPWORDS = frozenset(
    """a about after again all also am an and any are as at be because been before being but
    by can cannot could did do does doing don for from get gets got had has have having he her
    here hi hello his how i i'm if in into is it its just me my myself no nor not now of off
    on once only or our out over please so some still such than thank thanks that the their
    them then there these they this those to too under until up us very was we were what when
    where which while who why will with would you your""".split()
)


def article_terms(query: str) -> list[str]:
    """The meaningful words of QUERY (stop words dropped unless nothing else is left)."""
    words = terms_unbounded(query)
    kept = [w for w in words if w not in STOPWORDS]
    seen: set[str] = set()
    unique = [w for w in (kept or words) if not (w in seen or seen.add(w))]
    return unique[:ARTICLE_MAX_TERMS]


def terms_unbounded(query: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(query or "")]


def create_article_tables(schema_connection) -> None:
    """Create the article search table (called from a knowledge migration)."""
    with schema_connection.cursor() as cursor:
        if schema_connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {ARTICLE_TABLE} ("
                " doc_id bigint PRIMARY KEY, article_id bigint NOT NULL,"
                " language varchar(12) NOT NULL, title text NOT NULL,"
                " document tsvector NOT NULL)"
            )
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {ARTICLE_TABLE}_doc ON {ARTICLE_TABLE}"
                " USING gin(document)"
            )
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {ARTICLE_TABLE}_article ON {ARTICLE_TABLE}"
                " (article_id)"
            )
            # Typo tolerance needs pg_trgm; without the privilege to create it, search still
            # works, only without the fuzzy fallback.
            cursor.execute("SAVEPOINT relaydesk_trgm")
            try:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {ARTICLE_TABLE}_title_trgm ON {ARTICLE_TABLE}"
                    " USING gin(title gin_trgm_ops)"
                )
                cursor.execute("RELEASE SAVEPOINT relaydesk_trgm")
            except Exception:  # noqa: BLE001  (no privilege, or no contrib package)
                cursor.execute("ROLLBACK TO SAVEPOINT relaydesk_trgm")
        else:
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {ARTICLE_TABLE} USING fts5("
                "title, body, article_id UNINDEXED, language UNINDEXED,"
                " tokenize = 'porter unicode61 remove_diacritics 2', prefix = '3')"
            )
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {ARTICLE_VOCAB}"
                f" USING fts5vocab({ARTICLE_TABLE}, 'row')"
            )


def drop_article_tables(schema_connection) -> None:
    with schema_connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {ARTICLE_VOCAB}")
        cursor.execute(f"DROP TABLE IF EXISTS {ARTICLE_TABLE}")


def index_article(doc_id: int, article_id: int, language: str, title: str, body: str) -> None:
    """Insert or replace the document DOC_ID (one translation of article ARTICLE_ID)."""
    with connection.cursor() as cursor:
        if _is_postgres():
            cursor.execute(
                f"INSERT INTO {ARTICLE_TABLE} (doc_id, article_id, language, title, document)"
                " VALUES (%s, %s, %s, %s,"
                " setweight(to_tsvector('english', %s), 'A') ||"
                " setweight(to_tsvector('english', %s), 'B'))"
                " ON CONFLICT (doc_id) DO UPDATE SET article_id = EXCLUDED.article_id,"
                " language = EXCLUDED.language, title = EXCLUDED.title,"
                " document = EXCLUDED.document",
                [doc_id, article_id, language, title, title, body],
            )
        else:
            cursor.execute(f"DELETE FROM {ARTICLE_TABLE} WHERE rowid = %s", [doc_id])
            cursor.execute(
                f"INSERT INTO {ARTICLE_TABLE} (rowid, title, body, article_id, language)"
                " VALUES (%s, %s, %s, %s, %s)",
                [doc_id, title, body, article_id, language],
            )


def remove_article_documents(doc_ids: list[int]) -> None:
    if not doc_ids:
        return
    column = "doc_id" if _is_postgres() else "rowid"
    marks = ", ".join(["%s"] * len(doc_ids))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ARTICLE_TABLE} WHERE {column} IN ({marks})", doc_ids)


def _restriction(within, column: str) -> tuple[str, list]:
    """' AND COLUMN IN (subquery)' for a QuerySet of ids, or nothing."""
    if within is None:
        return "", []
    sql, params = within.query.sql_with_params()
    return f" AND {column} IN ({sql})", list(params)


def matching_articles(
    query: str,
    *,
    within=None,
    limit: int = 20,
    any_term: bool = False,
    prefix: bool = True,
    words: list[str] | None = None,
) -> list[tuple[int, int]]:
    """(doc_id, article_id) of the documents matching QUERY, best first.

    Every word must match unless ANY_TERM (then documents matching more words, and matching
    them in the title, rank higher). With PREFIX the last word also matches as the start of
    a word, for as-you-type search. WITHIN is a QuerySet of the article ids to consider.
    """
    words = words if words is not None else article_terms(query)
    if not words:
        return []
    use_prefix = [False] * len(words)
    if prefix and len(words[-1]) >= MIN_PREFIX:
        use_prefix[-1] = True
    if _is_postgres():
        return _pg_matching(words, use_prefix, within, limit, any_term)
    if any_term and len(words) > 1:
        words, use_prefix = _discriminating(words, use_prefix)
    quoted = [f'"{w}"' + ("*" if p else "") for w, p in zip(words, use_prefix, strict=True)]
    match = (" OR " if any_term else " AND ").join(quoted)
    return _ranked(match, within, limit)


def _ranked(match: str, within, limit: int) -> list[tuple[int, int]]:
    """Best LIMIT (rowid, article_id) for an FTS5 MATCH expression, within WITHIN.

    Reading the article id of every match to test it against WITHIN doubles the cost of a
    broad query, so the best few matches are fetched first and filtered afterwards; only
    when too few of them are allowed is the restricted query run. Both give the same rows.
    """
    order = f" ORDER BY bm25({ARTICLE_TABLE}, {TITLE_WEIGHT}, 1.0, 0.0, 0.0) LIMIT %s"
    base = f"SELECT rowid, article_id FROM {ARTICLE_TABLE} WHERE {ARTICLE_TABLE} MATCH %s"
    with connection.cursor() as cursor:
        if within is not None:
            fetch = limit * 4
            cursor.execute(base + order, [match, fetch])
            rows = [(row[0], row[1]) for row in cursor.fetchall()]
            allowed = set(within.filter(id__in={a for _d, a in rows}).values_list("id", flat=True))
            kept = [row for row in rows if row[1] in allowed]
            if len(rows) < fetch or len(kept) >= limit:
                return kept[:limit]
        restrict, params = _restriction(within, "article_id")
        cursor.execute(base + restrict + order, [match, *params, limit])
        return [(row[0], row[1]) for row in cursor.fetchall()]


def _discriminating(words: list[str], use_prefix: list[bool]) -> tuple[list[str], list[bool]]:
    """WORDS without those found in a large share of all documents (unless that leaves none).

    Ranking with any-word queries costs time per matching document; words nearly every
    article contains ("working", "problem") add that cost and little relevance, so a
    suggestion query keeps the words that tell articles apart.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {ARTICLE_TABLE}_docsize")
        cap = max(COMMON_MIN_DOCS, int(cursor.fetchone()[0] * COMMON_SHARE))
        kept = []
        for word, is_prefix in zip(words, use_prefix, strict=True):
            term = f'"{word}"' + ("*" if is_prefix else "")
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {ARTICLE_TABLE}"
                f" WHERE {ARTICLE_TABLE} MATCH %s LIMIT %s)",
                [term, cap],
            )
            if cursor.fetchone()[0] < cap:
                kept.append((word, is_prefix))
    if not kept:
        return words, use_prefix
    return [w for w, _p in kept], [p for _w, p in kept]


def _pg_matching(words, use_prefix, within, limit, any_term) -> list[tuple[int, int]]:
    lexemes = [w + (":*" if p else "") for w, p in zip(words, use_prefix, strict=True)]
    tsquery = (" | " if any_term else " & ").join(lexemes)
    restrict, params = _restriction(within, "article_id")
    sql = (
        f"SELECT doc_id, article_id FROM {ARTICLE_TABLE}, to_tsquery('english', %s) q"
        f" WHERE document @@ q{restrict}"
        " ORDER BY ts_rank(document, q) DESC, doc_id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [tsquery, *params, limit])
        return [(row[0], row[1]) for row in cursor.fetchall()]


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of A and B, or LIMIT + 1 as soon as it must exceed LIMIT."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def corrected_terms(words: list[str]) -> list[str] | None:
    """WORDS with unknown words replaced by the nearest indexed word (SQLite), or None.

    The index's own vocabulary (fts5vocab) is the dictionary: a word with no document is
    compared with indexed words of the same first two letters and similar length, and replaced
    by the closest one within one edit (two for words of six letters or more). Indexed words
    are stems, so a replacement is matched as a prefix by the caller.
    """
    if _is_postgres():
        return None
    changed = False
    result = []
    with connection.cursor() as cursor:
        for word in words:
            cursor.execute(
                f"SELECT 1 FROM {ARTICLE_TABLE} WHERE {ARTICLE_TABLE} MATCH %s LIMIT 1",
                [f'"{word}"'],
            )
            if len(word) < 5 or cursor.fetchone():
                result.append(word)
                continue
            # Candidates share the first two letters (or have them swapped): a typo there is
            # rare, and reading one letter's whole vocabulary costs too much per keystroke.
            candidates = []
            for start in {word[:2], word[1] + word[0]}:
                cursor.execute(
                    f"SELECT term, doc FROM {ARTICLE_VOCAB} WHERE term >= %s AND term < %s",
                    [start, start[0] + chr(ord(start[1]) + 1)],
                )
                candidates += cursor.fetchall()
            limit = 2 if len(word) >= 6 else 1
            best, best_key = None, None
            for term, docs in candidates:
                if abs(len(term) - len(word)) > limit + 1:
                    continue
                # Stems are often shorter than the word typed ("disconnect" for
                # "disconnects"): compare with the word cut to the stem's length too.
                distance = min(
                    _edit_distance(word, term, limit),
                    _edit_distance(word[: len(term)], term, limit)
                    if len(term) < len(word)
                    else limit + 1,
                )
                if distance <= limit:
                    key = (distance, -docs)
                    if best_key is None or key < best_key:
                        best, best_key = term, key
            if best is not None and best != word:
                changed = True
                result.append(best)
            else:
                result.append(word)
    return result if changed else None


def fuzzy_matching_articles(query: str, *, within=None, limit: int = 20) -> list[tuple[int, int]]:
    """Typo-tolerant fallback for a QUERY that matched nothing, best first.

    SQLite: the words corrected against the index vocabulary, each matched as a prefix,
    any of them. PostgreSQL: trigram similarity of the title when pg_trgm is installed.
    """
    words = article_terms(query)
    if not words:
        return []
    if _is_postgres():
        return _pg_fuzzy(" ".join(words), within, limit)
    fixed = corrected_terms(words)
    if fixed is None:
        return []
    quoted = [f'"{w}"*' if len(w) >= MIN_PREFIX else f'"{w}"' for w in fixed]
    return _ranked(" OR ".join(quoted), within, limit)


def _pg_fuzzy(text: str, within, limit: int) -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            return []
        restrict, params = _restriction(within, "article_id")
        cursor.execute(
            f"SELECT doc_id, article_id FROM {ARTICLE_TABLE}"
            f" WHERE %s <%% title{restrict}"
            " ORDER BY word_similarity(%s, title) DESC, doc_id DESC LIMIT %s",
            [text, *params, text, limit],
        )
        return [(row[0], row[1]) for row in cursor.fetchall()]
