"""The course API's read answers as plain dicts, built straight from the outline.

DRF's serializers (serializers.py) stay the schema's word on these shapes; building the same dicts by
hand costs a fraction of walking their fields for every module and lesson on every request.
tests/course/test_payloads.py holds each function equal to its serializer.
"""

from __future__ import annotations

from ..selectors import CourseOutline, ModuleState


def _score(value) -> float | None:
    return None if value is None else float(value)


def course_summary(outline: CourseOutline) -> dict:
    """CourseSummarySerializer's fields."""
    course, done, total = outline.course, outline.completed_lessons, outline.total_lessons
    return {
        "slug": course.slug,
        "title": course.title,
        "summary": course.summary,
        "total_lessons": total,
        "completed_lessons": done,
        "percent": round(100 * done / total) if total else 0,
        "continue_lesson": outline.continue_lesson.slug if outline.continue_lesson else None,
    }


def module(state: ModuleState) -> dict:
    """ModuleSerializer's fields."""
    m = state.module
    return {
        "slug": m.slug,
        "title": m.title,
        "order": m.order,
        "summary": m.summary,
        "status": state.status,
        "locked": state.locked,
        "locked_by": [{"slug": p.slug, "title": p.title} for p in state.locked_by],
        "quiz_required": m.quiz_required,
        "quiz_passed": state.quiz_passed,
        "best_score": _score(state.best_score),
        "lessons_done": state.lessons_done,
        "lessons": [
            {
                "slug": s.lesson.slug,
                "title": s.lesson.title,
                "order": s.lesson.order,
                "estimated_minutes": s.lesson.estimated_minutes,
                "completed": s.completed,
            }
            for s in state.lessons
        ],
    }


def course_detail(outline: CourseOutline) -> dict:
    """CourseDetailSerializer's fields."""
    return course_summary(outline) | {"modules": [module(m) for m in outline.modules]}


def course_progress(outline: CourseOutline) -> dict:
    """CourseProgressSerializer's fields."""
    done, total = outline.completed_lessons, outline.total_lessons
    return {
        "course": outline.course.slug,
        "total_lessons": total,
        "completed_lessons": done,
        "percent": round(100 * done / total) if total else 0,
        "modules": [
            {
                "slug": m.module.slug,
                "status": m.status,
                "lessons_done": m.lessons_done,
                "lessons_total": len(m.lessons),
                "quiz_passed": m.quiz_passed,
                "best_score": _score(m.best_score),
            }
            for m in outline.modules
        ],
    }
