"""A skill's first answer in SQL: its review card, the card's first log and the practice level, and
the course's facts deck, set-based.

The one place review writes rows with raw SQL (tests/quizzes/test_first_answer_sql.py compares what
it writes with the ORM's rows). On PostgreSQL it is one statement: data-modifying CTEs insert the card
(ON CONFLICT DO NOTHING: the skill already has its card), then the log and the level row from the
card's RETURNING, so an existing card writes nothing at all. SQLite has no data-modifying CTEs: there
the same INSERTs run one after the other, the log and level only once the card went in.
"""

from __future__ import annotations

from django.db import connection

from .models import Fact, ReviewCard, ReviewLog, SkillLevel


def _prepared(model, values: dict) -> list:
    fields = {field.attname: field for field in model._meta.concrete_fields}
    return [fields[name].get_db_prep_save(value, connection) for name, value in values.items()]


_FROM_SOURCE = object()  # a column filled from the new card's id


def _insert(table: str, values: dict, source: str = "") -> str:
    """INSERT INTO table (columns) VALUES (...), or SELECT ... FROM source (whose `id` fills `*_from`)."""
    columns = ", ".join(values)
    marks = ", ".join("id" if value is _FROM_SOURCE else "%s" for value in values.values())
    if source:
        return f"INSERT INTO {table} ({columns}) SELECT {marks} FROM {source}"  # noqa: S608
    return f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608


def _params(model, values: dict) -> list:
    return _prepared(model, {k: v for k, v in values.items() if v is not _FROM_SOURCE})


def insert_first_answer(card: dict, log: dict, level: dict) -> tuple[int | None, bool]:
    """Insert the skill's card from `card`; if it went in (the skill's first answer), its log from
    `log` (its card_id filled in) and the level row from `level` (the first practice level and the
    skill's mastery state after this first pick) unless one exists. Returns the new
    card's id (None when the card existed: nothing is written) and whether the level row was written."""
    cards, logs, levels = ReviewCard._meta.db_table, ReviewLog._meta.db_table, SkillLevel._meta.db_table
    log = {**log, "card_id": _FROM_SOURCE}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH card AS ({_insert(cards, card)} ON CONFLICT DO NOTHING RETURNING id), "  # noqa: S608 (names from _meta)
                f"new_log AS ({_insert(logs, log, 'card')} RETURNING card_id), "
                f"new_level AS ({_insert(levels, level, 'card')} ON CONFLICT DO NOTHING RETURNING id) "
                "SELECT (SELECT card_id FROM new_log), (SELECT count(*) FROM new_level)",
                [*_params(ReviewCard, card), *_params(ReviewLog, log), *_params(SkillLevel, level)],
            )
            card_id, levelled = cursor.fetchone()
            return card_id, bool(card_id and levelled)
        cursor.execute(f"{_insert(cards, card)} ON CONFLICT DO NOTHING RETURNING id", _params(ReviewCard, card))
        row = cursor.fetchone()
        if row is None:
            return None, False
        cursor.execute(_insert(logs, {**log, "card_id": row[0]}), _params(ReviewLog, {**log, "card_id": row[0]}))
        cursor.execute(f"{_insert(levels, level)} ON CONFLICT DO NOTHING RETURNING id", _params(SkillLevel, level))
        return row[0], cursor.fetchone() is not None


def insert_facts_deck(user_id: int, course_id: int, now, per_day: int) -> int | None:
    """PostgreSQL: one INSERT ... SELECT of a new card for each active fact of the course the trainee
    lacks, the n-th (in module order, then slug) due n // per_day days from now; the number written.
    None elsewhere: the caller reads the lacking facts and bulk-inserts them (two statements)."""
    if connection.vendor != "postgresql":
        return None
    cards, facts = ReviewCard._meta.db_table, Fact._meta.db_table
    modules = Fact._meta.get_field("module").related_model._meta.db_table
    # The kind is written into the SQL, not bound: the statement is prepared on the server, and a
    # generic plan can use the partial index (user_id, fact_id) WHERE kind = 'fact' only when the
    # condition is that literal (bound, the plan fell back to a bitmap AND four times as slow).
    fact = f"'{ReviewCard.FACT}'"  # a constant of the model, a plain word
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {cards} (user_id, course_id, kind, skill, fact_id, state, due, reps, created_at) "  # noqa: S608 (names from _meta)
            f"SELECT %s, %s, {fact}, '', f.id, %s, "
            f"%s + ((row_number() OVER (ORDER BY m.\"order\", f.slug) - 1) / %s) * interval '1 day', 0, %s "
            f"FROM {facts} f JOIN {modules} m ON m.id = f.module_id "
            f"WHERE f.course_id = %s AND f.is_active AND NOT EXISTS "
            f"(SELECT 1 FROM {cards} c WHERE c.user_id = %s AND c.kind = {fact} AND c.fact_id = f.id) "
            "ON CONFLICT DO NOTHING",
            [user_id, course_id, ReviewCard.LEARNING, now, per_day, now, course_id, user_id],
        )  # fmt: skip
        return cursor.rowcount
