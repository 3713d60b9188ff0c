"""Instructors' writes: opening a reflection (audited) and scoring it against the quiz's rubric."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Reflection
from ..services import Conflict, reflection_access_record
from ..signals import reflection_scored
from .forms import COMMENT_LIMIT, RUBRIC_MAX, ReflectionScoreForm

__all__ = ["COMMENT_LIMIT", "RUBRIC_MAX", "reflection_open", "reflection_score"]


def reflection_open(reflection: Reflection, viewer) -> Reflection:
    """Record that an instructor opened a reflection (who, which, when; never the text)."""
    with transaction.atomic():
        reflection_access_record(reflection, viewer)
    return reflection


def reflection_score(reflection: Reflection, instructor, scores, comment) -> Reflection:
    """Score a shared reflection 0-2 per rubric criterion and leave a comment the trainee sees.

    The UPDATE is conditional on the reflection still being shared, so a trainee who withdraws
    it while the instructor is typing is not scored against their wish."""
    rubric = list(reflection.attempt.quiz.reflection_rubric or [])
    # The page's form and the API's serializer have cleaned both; the same rules once more, for other callers.
    form = ReflectionScoreForm(rubric, data={"rubric_scores": scores, "comment": comment or ""})
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    cleaned, comment = form.cleaned_data["rubric_scores"], form.cleaned_data["comment"]
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
