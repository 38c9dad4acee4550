"""Prepared single-row writes for the ticket write path's hottest statements.

Django compiles the SQL of every `save()`, `create()` and `bulk_create()` afresh: here that
costs 70-110 µs a statement, where SQLite needs ~20 µs to run it. Opening a ticket writes
about a dozen rows (ticket, message, audit events, SLA clock, task rows, the round-robin
turn), so the write path builds each statement's text once per model, field list and
database vendor, and only converts the values per row.

Only the model's quoted table and column names go into the SQL text (hence the S608
waivers); every value is a query parameter, converted by its field (`pre_save`, then
`get_db_prep_save`) exactly as `save()` does, so what is stored is identical. What these
skip is the model signals: a model with `pre_save`/`post_save` receivers is refused unless
the caller says it knows (`signals_ok`), rather than silently written without them.
"""

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import connections, router
from django.db.models import Field, Model, signals

# Statement texts and value getters, by model, fields and database alias (not connection: a
# thread has its own connection to the same database, and they all share these).
_sql_cache: dict[tuple, object] = {}
_select_cache: dict[tuple, tuple] = {}

# For fields of these kinds, a value of exactly these Python types is stored as it is:
# get_db_prep_save() would return it unchanged, at ~1.5 µs a field (a ticket's rows have
# over a hundred). Any other value takes the field's own conversion.
_AS_IS = {
    **dict.fromkeys(("CharField", "TextField", "SlugField"), (str, type(None))),
    **dict.fromkeys(
        (
            "IntegerField",
            "BigIntegerField",
            "SmallIntegerField",
            "PositiveIntegerField",
            "PositiveSmallIntegerField",
            "PositiveBigIntegerField",
            "AutoField",
            "BigAutoField",
            "SmallAutoField",
        ),
        (int, type(None)),
    ),  # fmt: skip
    "BooleanField": (bool, type(None)),
    # None is NULL for these too (most of a task row's dates, say); other values convert.
    **dict.fromkeys(
        ("DateTimeField", "DateField", "TimeField", "JSONField", "UUIDField", "DecimalField"),
        (type(None),),
    ),
}


def _value_getter(field, add: bool):
    """A function of (instance, connection) giving FIELD's value ready for the database, as
    save() would (pre_save, then get_db_prep_save)."""
    attname = field.attname
    plain_pre_save = type(field).pre_save is Field.pre_save  # no auto_now, no file to commit
    target = field.target_field if field.is_relation else field
    as_is = _AS_IS.get(target.get_internal_type(), ()) if plain_pre_save else ()
    if field.is_relation:
        as_is = tuple(t for t in as_is if t is not str)  # "" means NULL for a foreign key

    if plain_pre_save and target.get_internal_type() == "DateTimeField":
        # An aware datetime (timezone.now() and all the services write) needs only the
        # backend's adaptation: the field's checks are for naive ones and expressions.
        def value(obj, connection):
            raw = getattr(obj, attname)
            if raw is None:
                return None
            if type(raw) is dt.datetime and raw.tzinfo is not None:
                return connection.ops.adapt_datetimefield_value(raw)
            return field.get_db_prep_save(raw, connection)

        return value

    def value(obj, connection):
        if as_is:
            raw = getattr(obj, attname)
            if type(raw) in as_is:
                return raw
        return field.get_db_prep_save(field.pre_save(obj, add), connection)

    return value


def _check_no_receivers(model: type[Model]) -> None:
    if signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model):
        raise TypeError(
            f"{model._meta.label} has save signal receivers: write it with the ORM so they run"
        )


def _insert_fields(model: type[Model], with_pk: bool) -> list:
    return [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]


def insert(objs: Sequence[Model], *, signals_ok: bool = False) -> None:
    """INSERT the unsaved instances OBJS (all of one model) in one statement.

    A primary key left None is filled in from the database (RETURNING), as `save()` does.
    SIGNALS_OK: the caller knows the model's save receivers need not run for these rows.
    """
    if not objs:
        return
    model = type(objs[0])
    if not signals_ok:
        _check_no_receivers(model)
    using = router.db_for_write(model)
    connection = connections[using]
    with_pk = objs[0].pk is not None
    fields = _insert_fields(model, with_pk)
    key = ("insert", model, with_pk, len(objs), using)
    prepared = _sql_cache.get(key)
    if prepared is None:
        quote = connection.ops.quote_name
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 (names from the model)
            f"({', '.join(quote(f.column) for f in fields)}) VALUES {', '.join([row] * len(objs))}"
        )
        if not with_pk:
            sql += f" RETURNING {quote(model._meta.pk.column)}"
        prepared = _sql_cache[key] = (sql, [_value_getter(f, True) for f in fields])
    sql, getters = prepared
    params = [value(obj, connection) for obj in objs for value in getters]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pks = cursor.fetchall() if not with_pk else ()
    for obj, returned in zip(objs, pks, strict=False):
        obj.pk = returned[0]
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using


def update(obj: Model, field_names: Iterable[str], *, signals_ok: bool = False) -> int:
    """UPDATE FIELD_NAMES of the saved instance OBJ by primary key; returns the rows changed.

    SIGNALS_OK: as for insert()."""
    model = type(obj)
    if not signals_ok:
        _check_no_receivers(model)
    field_names = tuple(field_names)
    using = obj._state.db or router.db_for_write(model)
    connection = connections[using]
    key = ("update", model, field_names, using)
    prepared = _sql_cache.get(key)
    meta = model._meta
    if prepared is None:
        quote = connection.ops.quote_name
        fields = [meta.get_field(name) for name in field_names]
        sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        sql = f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
        getters = [_value_getter(f, False) for f in (*fields, meta.pk)]
        prepared = _sql_cache[key] = (sql, getters)
    sql, getters = prepared
    params = [value(obj, connection) for value in getters]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def select_one(model: type[Model], column: str, value, *, for_update: bool = False):
    """The instance of MODEL whose COLUMN equals VALUE (the first by primary key), or None;
    with FOR_UPDATE, its row stays locked to the end of the transaction where the database
    locks rows (SQLite's IMMEDIATE transactions hold the whole database already)."""
    using = router.db_for_write(model) if for_update else router.db_for_read(model)
    connection = connections[using]
    lock = for_update and connection.features.has_select_for_update
    key = ("select", model, column, lock, using)
    meta = model._meta
    prepared = _select_cache.get(key)
    if prepared is None:
        quote = connection.ops.quote_name
        fields = meta.concrete_fields
        sql = (
            f"SELECT {', '.join(quote(f.column) for f in fields)} FROM {quote(meta.db_table)} "  # noqa: S608
            f"WHERE {quote(meta.get_field(column).column)} = %s "
            f"ORDER BY {quote(meta.pk.column)} LIMIT 1" + (" FOR UPDATE" if lock else "")
        )
        # What the ORM would apply to each column read back (dates on SQLite, for one); they
        # depend on the settings of the database, not on which thread's connection asks.
        converters = []
        for i, field in enumerate(fields):
            col = field.get_col(meta.db_table)
            for converter in connection.ops.get_db_converters(col) + field.get_db_converters(
                connection
            ):
                converters.append((i, converter, col))
        prepared = _select_cache[key] = (sql, [f.attname for f in fields], converters)
    sql, attnames, converters = prepared
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for i, converter, col in converters:
        values[i] = converter(values[i], col, connection)
    return model.from_db(using, attnames, values)


def values(model: type[Model], column: str, where: str, value) -> list:
    """The COLUMN values (plain text or numbers) of MODEL's rows whose WHERE column is VALUE."""
    using = router.db_for_read(model)
    connection = connections[using]
    key = ("values", model, column, where, using)
    sql = _sql_cache.get(key)
    if sql is None:
        quote, meta = connection.ops.quote_name, model._meta
        sql = _sql_cache[key] = (
            f"SELECT {quote(meta.get_field(column).column)} FROM {quote(meta.db_table)} "  # noqa: S608
            f"WHERE {quote(meta.get_field(where).column)} = %s"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        return [row[0] for row in cursor.fetchall()]
