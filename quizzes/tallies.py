"""SkillTally, each trainee's answers summed per skill: how an answer adds to it, and the rebuild.

An answer adds itself in the statement that stores it (quizzes.claim puts the upsert below into its
CTE on PostgreSQL, and runs it right after the INSERT elsewhere), so an answer that rolls back
takes its count with it and a repeated answer, never stored twice, is never counted twice. The
rebuild sums the answers again: after a bulk load, a change of an item's skill, or an upgrade."""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum

from . import grading
from .models import SkillTally

REBUILD_BATCH = 2000
_COLUMNS = "user_id, course_id, skill, earned, steps, harmful, last_answered_at"


def upsert_sql(rows_from: str | None = None) -> str:
    """INSERT sums into a tally, adding them to the row that is there. The parameters are
    upsert_params()'s; with `rows_from` (a CTE's name) the row is inserted once per row of it,
    so nothing is added when that CTE returned nothing (a lost claim)."""
    table = connection.ops.quote_name(SkillTally._meta.db_table)
    values = ", ".join(["%s"] * 7)
    source = f"SELECT {values} FROM {rows_from}" if rows_from else f"VALUES ({values})"  # noqa: S608 (a CTE of ours)
    # The same upsert on PostgreSQL and SQLite (3.24+): `excluded` is the row that was not inserted.
    return (
        f"INSERT INTO {table} ({_COLUMNS}) {source} "  # noqa: S608 (names from _meta)
        "ON CONFLICT (user_id, course_id, skill) DO UPDATE SET "
        f"earned = {table}.earned + excluded.earned, steps = {table}.steps + excluded.steps, "
        f"harmful = {table}.harmful + excluded.harmful, "
        f"last_answered_at = CASE WHEN excluded.last_answered_at > {table}.last_answered_at "
        f"THEN excluded.last_answered_at ELSE {table}.last_answered_at END"
    )


def upsert_params(user_id: int, course_id: int, skill: str, grade: int, answered_at: datetime) -> list:
    """One answer's sums."""
    return sums_params(user_id, course_id, skill, grade, 1, int(grade == grading.HARMFUL), answered_at)


def sums_params(user_id, course_id, skill, earned: int, steps: int, harmful: int, last: datetime) -> list:
    at = SkillTally._meta.get_field("last_answered_at").get_db_prep_save(last, connection)
    return [user_id, course_id, skill, earned, steps, harmful, at]


def _sums(answers):
    return (
        answers.values("attempt__user_id", "item__course_id", "item__skill")
        .annotate(
            earned=Sum("grade"),
            steps=Count("id"),
            harmful=Count("id", filter=Q(grade=grading.HARMFUL)),
            last=Max("answered_at"),
        )
        .order_by()
    )


def tallies_pass_to(user_id: int, placeholder_id: int) -> None:
    """Erasure: the trainee's completed attempts pass to the anonymous placeholder, so their sums are
    added to the placeholder's tallies (the trainee's own go with the account)."""
    from .models import Answer, Attempt

    kept = Answer.objects.filter(attempt__user_id=user_id, attempt__status=Attempt.COMPLETED)
    with connection.cursor() as cursor:
        for row in _sums(kept):
            cursor.execute(
                upsert_sql(),
                sums_params(
                    placeholder_id,
                    row["item__course_id"],
                    row["item__skill"],
                    row["earned"] or 0,
                    row["steps"],
                    row["harmful"],
                    row["last"],
                ),  # fmt: skip
            )


def tallies_rebuild(course_id: int | None = None, answer_model=None, tally_model=None) -> int:
    """Sum every answer again into SkillTally (one course's, or all). Returns the rows written.
    The models may be a migration's historical ones."""
    if answer_model is None:
        from .models import Answer

        answer_model = Answer
    tally_model = tally_model or SkillTally
    answers, tallies = answer_model.objects.all(), tally_model.objects.all()
    if course_id is not None:
        answers, tallies = answers.filter(item__course_id=course_id), tallies.filter(course_id=course_id)
    sums = _sums(answers)
    written, batch = 0, []
    with transaction.atomic():
        tallies.delete()
        for row in sums.iterator(chunk_size=REBUILD_BATCH):
            batch.append(
                tally_model(
                    user_id=row["attempt__user_id"],
                    course_id=row["item__course_id"],
                    skill=row["item__skill"],
                    earned=row["earned"] or 0,
                    steps=row["steps"],
                    harmful=row["harmful"],
                    last_answered_at=row["last"],
                )
            )
            if len(batch) >= REBUILD_BATCH:
                written += len(tally_model.objects.bulk_create(batch))
                batch = []
        written += len(tally_model.objects.bulk_create(batch))
    return written
