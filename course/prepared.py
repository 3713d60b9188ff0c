"""Querysets (and updates) compiled once per process and run again with new parameter values.

Building and compiling a small queryset costs Django about a millisecond, several times what
PostgreSQL needs to answer it; the per-request reads of every trainee page (their courses, their
own progress) run the same SQL each time with another user's id. A Prepared holds a function that
builds the queryset from its parameters: it is called once with stand-in values, compiled, and the
stand-ins' places in the SQL parameters noted; later calls put the real values there, execute
the SQL through the connection's cursor and apply the compiler's own converters (SQLite's text
dates, say), so the rows are those of the queryset itself.

This is the one module that leans on Django's internals (Query.get_compiler, as_sql and
results_iter); tests/course/test_prepared.py compares every Prepared against its plain queryset.
Only scalar parameters used as they are (`user_id=`, `slug=`, `due__lte=`) can be stand-ins: a value
Django rewrites (`__contains`, lists for `__in`) would not be found, and compiling refuses it. A
datetime is looked for as the backend adapts it (SQLite's is text), and each real one adapted alike.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from django.db import connections
from django.db.models.sql import UpdateQuery

# Stand-ins no real parameter equals: negative ids, strings with a control character, instants
# in 1901 with an odd number of microseconds.
_STAND_INS = {
    int: lambda i: -2_000_000_011 - i,
    str: lambda i: f"\x1fattune-stand-in-{i}",
    datetime: lambda i: datetime(1901, 2, 3, 4, 5, 6, 777_001 + i, tzinfo=UTC),
}


class Prepared:
    def __init__(self, build: Callable, *types: type):
        self.build, self.types = build, types
        self._compiled: dict[str, tuple] = {}

    def stand_ins(self) -> list:
        return [_STAND_INS[t](i) for i, t in enumerate(self.types)]

    def _adapt(self, values, using: str) -> list:
        """The values as the backend puts them in SQL parameters (a datetime as the field adapts it)."""
        ops = connections[using].ops
        return [
            ops.adapt_datetimefield_value(v) if t is datetime and v is not None else v
            for v, t in zip(values, self.types, strict=True)
        ]

    def _compile(self, using: str) -> tuple:
        stand_ins = self.stand_ins()
        built = self.build(*stand_ins)
        compiler = getattr(built, "query", built).get_compiler(using=using)
        sql, params = compiler.as_sql()
        adapted = self._adapt(stand_ins, using)
        slots = []
        for value in params:
            hits = [i for i, s in enumerate(adapted) if type(value) is type(s) and value == s]
            slots.append((True, hits[0]) if hits else (False, value))
        missing = set(range(len(stand_ins))) - {index for is_slot, index in slots if is_slot}
        if missing:
            raise ValueError(f"parameters {sorted(missing)} are not in the compiled SQL as they were given")
        compiled = (sql, slots, compiler)
        self._compiled[using] = compiled
        return compiled

    def _sql(self, values, using: str) -> tuple:
        sql, slots, compiler = self._compiled.get(using) or self._compile(using)
        if datetime in self.types:
            values = self._adapt(values, using)
        return sql, [values[v] if is_slot else v for is_slot, v in slots], compiler

    def rows(self, *values, using: str = "default") -> list[tuple]:
        """The queryset's rows (values_list tuples) for these parameter values."""
        sql, params, compiler = self._sql(values, using)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        return list(compiler.results_iter(results=[fetched], tuple_expected=True))

    def execute(self, *values, using: str = "default") -> int:
        """Run a write the build made (an UpdateQuery: see update_query) and return its row count."""
        sql, params, _ = self._sql(values, using)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount


def update_query(queryset, **values):
    """What queryset.update(**values) would run, as a Query a Prepared can compile (no signals, as update())."""
    query = queryset.query.chain(UpdateQuery)
    query.add_update_values(values)
    return query


_ROW_UPDATES: dict[tuple, str] = {}


def save_fields(instance, fields, using: str = "default") -> int:
    """instance.save(update_fields=fields) as one UPDATE by primary key whose SQL is built once per
    model and field list: the ORM compiles it afresh each call, several times the UPDATE's own cost
    on the answer path. Values are prepared by their fields as save() does; no save signals are
    sent (as with update()). Returns the number of rows updated."""
    meta = type(instance)._meta
    fields = tuple(fields)
    chosen = [meta.get_field(name) for name in fields]
    key = (meta.label, fields, using)
    sql = _ROW_UPDATES.get(key)
    connection = connections[using]
    if sql is None:
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in chosen)
        sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608 (names from _meta)
        _ROW_UPDATES[key] = sql
    params = [field.get_db_prep_save(getattr(instance, field.attname), connection) for field in chosen]
    params.append(meta.pk.get_db_prep_value(instance.pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
