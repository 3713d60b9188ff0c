"""The current-step answer as a plain dict, built straight from the attempt and its step.

AttemptSerializer (serializers.py) stays the schema's word on this shape; walking its nested fields
cost the current-step API a fifth of its time. tests/quizzes/test_api.py holds attempt() equal to
the serializer in every phase.
"""

from __future__ import annotations

from django.utils import timezone


def _instant(value) -> str | None:
    """DRF's DateTimeField: ISO 8601 in the current time zone, UTC written as Z."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def _float(value) -> float | None:
    return None if value is None else float(value)


def _item(item) -> dict | None:
    if item is None:
        return None
    return {
        "slug": item.slug,
        "version": item.version,
        "skill": item.skill,
        "difficulty": item.difficulty,
        "content_note": item.content_note,
        "write_first": item.write_first,
        "vignette": item.vignette,
    }


def current_step(step) -> dict:
    """CurrentStepSerializer's fields."""
    options = step.options
    return {
        "phase": step.phase,
        "item": _item(step.item),
        "item_number": step.item_number,
        "item_count": step.item_count,
        "step": step.step_path,
        "client_line": step.client_line,
        "options": None if options is None else [{"id": str(o["id"]), "text": str(o["text"])} for o in options],
        "free_reply": step.free_reply,
        "state": None if step.state is None else {str(k): int(v) for k, v in step.state.items()},
    }


def attempt(attempt) -> dict:
    """AttemptSerializer's fields, attempt.current included."""
    return {
        "id": attempt.pk,
        "quiz": attempt.quiz_id,
        "status": attempt.status,
        "started_at": _instant(attempt.started_at),
        "completed_at": _instant(attempt.completed_at),
        "score": _float(attempt.score),
        "passed": attempt.passed,
        "current": current_step(attempt.current),
    }
