"""Instructors' writes: opening a reflection (audited) and scoring it against the quiz's rubric."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Reflection
from ..services import Conflict, reflection_access_record
from ..signals import reflection_scored

COMMENT_LIMIT = 2000
RUBRIC_MAX = 2
SCORE_TEXTS = {str(n) for n in range(RUBRIC_MAX + 1)}


def reflection_open(reflection: Reflection, viewer) -> Reflection:
    """Record that an instructor opened a reflection (who, which, when; never the text)."""
    with transaction.atomic():
        reflection_access_record(reflection, viewer)
    return reflection


def clean_rubric_scores(rubric: list[str], scores) -> dict[str, int]:
    """One whole number 0-2 for every criterion of the rubric, keyed by the criterion's text."""
    if not isinstance(scores, dict):
        raise ValidationError({"rubric_scores": "must map each rubric criterion to a score of 0, 1 or 2."})
    unknown = sorted(set(scores) - set(rubric))
    if unknown:
        raise ValidationError({"rubric_scores": f"not criteria of this rubric: {', '.join(unknown)}."})
    missing = [c for c in rubric if c not in scores]
    if missing:
        raise ValidationError({"rubric_scores": f"missing a score for: {', '.join(missing)}."})
    cleaned = {}
    for criterion in rubric:
        value = scores[criterion]
        # Only the exact digits: str.isdigit() accepts "²" and 5,000-digit strings, which int() rejects.
        if isinstance(value, str) and value in SCORE_TEXTS:
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= RUBRIC_MAX:
            raise ValidationError({"rubric_scores": f"'{criterion}' must be 0, 1 or 2."})
        cleaned[criterion] = value
    return cleaned


def clean_comment(value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({"comment": "must be text."})
    if "\x00" in value:
        raise ValidationError({"comment": "must not contain NUL (\\x00) characters."})
    value = value.strip()
    if len(value) > COMMENT_LIMIT:
        raise ValidationError({"comment": f"must be at most {COMMENT_LIMIT} characters (got {len(value)})."})
    return value


def reflection_score(reflection: Reflection, instructor, scores, comment) -> Reflection:
    """Score a shared reflection 0-2 per rubric criterion and leave a comment the trainee sees.

    The UPDATE is conditional on the reflection still being shared, so a trainee who withdraws
    it while the instructor is typing is not scored against their wish."""
    rubric = list(reflection.attempt.quiz.reflection_rubric or [])
    cleaned = clean_rubric_scores(rubric, scores) if rubric else {}
    comment = clean_comment(comment)
    if not rubric and not comment:
        raise ValidationError({"comment": "must not be empty when the quiz has no rubric to score."})
    now = timezone.now()
    changed = (cleaned or None, comment) != (reflection.rubric_scores, reflection.instructor_comment)
    with transaction.atomic():
        updated = Reflection.objects.filter(pk=reflection.pk, shared=True).update(
            rubric_scores=cleaned or None, instructor_comment=comment, scored_by=instructor, scored_at=now
        )
        if not updated:
            raise Conflict("The trainee no longer shares this reflection.")
        if changed:  # a repeated identical submit tells the trainee nothing new
            reflection.rubric_scores, reflection.instructor_comment = cleaned or None, comment
            reflection_scored.send(sender=Reflection, reflection=reflection, at=now)
    reflection.refresh_from_db()
    return reflection
