"""The answer's claim and its INSERT in one statement: the one place quizzes writes with raw SQL.

attempt_answer claims the step with a conditional UPDATE (only one request moves the attempt's
pointer from where it was; a write-first item's root step also needs the trainee's reply) and then
inserts the answer. On PostgreSQL both are one statement, a data-modifying CTE whose INSERT selects
from the UPDATE's RETURNING, so a lost claim inserts nothing; elsewhere (SQLite) the same UPDATE and
INSERT run one after the other through the ORM. tests/quizzes/test_claim.py pins the two alike.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Exists

from .models import Answer, Attempt, FreeReply, Item
from .tallies import upsert_params, upsert_sql

ANSWER_COLUMNS = ("item_id", "item_version", "step_path", "option_id", "grade", "confidence", "seconds", "answered_at")


def claim_and_answer(
    attempt: Attempt, position: int, path: str, needs_reply: bool, values: dict, *, item: Item
) -> Answer | None:
    """Move the attempt from its (position, step_path) to (position, path) if it is still there and
    in progress (and, with needs_reply, its reply to the item exists), store the answer (`values`:
    ANSWER_COLUMNS) and add it to the item's skill's tally. The stored answer, or None when another
    request claimed the step."""
    tally = upsert_params(attempt.user_id, item.course_id, item.skill, values["grade"], values["answered_at"])
    if connection.vendor != "postgresql":
        claim = Attempt.objects.filter(
            pk=attempt.pk, status=Attempt.IN_PROGRESS, position=attempt.position, step_path=attempt.step_path
        )
        if needs_reply:
            claim = claim.filter(Exists(FreeReply.objects.filter(attempt_id=attempt.pk, item_id=values["item_id"])))
        if not claim.update(position=position, step_path=path):
            return None
        answer = Answer.objects.create(attempt=attempt, **values)
        with connection.cursor() as cursor:
            cursor.execute(upsert_sql(), tally)
        return answer
    fields = {field.attname: field for field in Answer._meta.concrete_fields}
    params = [position, path, attempt.pk, Attempt.IN_PROGRESS, attempt.position, attempt.step_path]
    reply = ""
    if needs_reply:
        reply = f" AND EXISTS (SELECT 1 FROM {FreeReply._meta.db_table} WHERE attempt_id = %s AND item_id = %s)"  # noqa: S608
        params += [attempt.pk, values["item_id"]]
    params += [fields[name].get_db_prep_save(values[name], connection) for name in ANSWER_COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH claim AS (UPDATE {Attempt._meta.db_table} SET position = %s, step_path = %s "  # noqa: S608 (names from _meta)
            f"WHERE id = %s AND status = %s AND position = %s AND step_path = %s{reply} RETURNING id), "
            f"answer AS (INSERT INTO {Answer._meta.db_table} (attempt_id, {', '.join(ANSWER_COLUMNS)}) "
            f"SELECT id, {', '.join(['%s'] * len(ANSWER_COLUMNS))} FROM claim RETURNING id), "
            f"tally AS ({upsert_sql('answer')}) "
            "SELECT id FROM answer",
            params + tally,
        )
        row = cursor.fetchone()
    if row is None:
        return None
    answer = Answer(pk=row[0], attempt=attempt, **values)
    answer._state.adding, answer._state.db = False, connection.alias  # as a fetched row would be
    return answer
