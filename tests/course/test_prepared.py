"""course/prepared.py leans on Django's compiler: every Prepared gives exactly its plain queryset's rows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from course import selectors, services
from course.models import Course, Lesson, LessonProgress, ModuleResult
from course.prepared import Prepared
from tests.conftest import CohortFactory, CourseFactory, enroll


@pytest.fixture
def history(trainee, instructor, course_with_lessons):
    """A trainee with progress and a result; an instructor of a second course, trainee of none."""
    for lesson in Lesson.objects.filter(module__slug="first"):
        services.lesson_open(trainee, lesson)
        services.lesson_complete(trainee, lesson)
    services.lesson_open(trainee, Lesson.objects.get(slug="second-1"))
    first = course_with_lessons.modules.get(slug="first")
    ModuleResult.objects.create(user=trainee, module=first, best_score=0.75, passed_at=timezone.now())
    CohortFactory(course=CourseFactory(slug="aardvark", title="Aardvark"), name="B").instructors.add(instructor)
    enroll(instructor, CohortFactory(course=CourseFactory(slug="zebra", title="Zebra"), name="C"))
    return trainee


def test_every_prepared_read_equals_its_queryset(history, instructor, other_trainee):
    for user in (history, instructor, other_trainee):
        assert selectors._MY_COURSES.rows(user.pk) == list(selectors._MY_COURSES.build(user.pk))
        assert selectors._OWN_STATE.rows(user.pk) == list(selectors._OWN_STATE.build(user.pk))
        for slug in ("relationship", "aardvark", "zebra", "other-course", "none"):
            assert selectors._MY_COURSE.rows(user.pk, slug) == list(selectors._MY_COURSE.build(user.pk, slug))
    assert [r[1] for r in selectors._MY_COURSES.rows(instructor.pk) if r[0] == "course"] == list(
        Course.objects.filter(slug__in=["aardvark", "relationship", "zebra"])
        .order_by("title")
        .values_list("pk", flat=True)
    )
    kinds = sorted((kind, pk) for kind, pk, *_ in selectors._OWN_STATE.rows(history.pk))
    assert len(kinds) == 4  # three lessons opened, one module result


def test_the_rows_keep_their_types(history):
    ((_, _, completed_at, last_opened_at, score, *_),) = [
        r for r in selectors._OWN_STATE.rows(history.pk) if r[0] == "lesson" and r[2] is not None
    ][:1]
    assert abs(completed_at - timezone.now()) < timedelta(minutes=1)  # a datetime, with its zone, on every backend
    assert completed_at.tzinfo is not None and score is None
    (result,) = [r for r in selectors._OWN_STATE.rows(history.pk) if r[0] == "module"]
    assert result[4] == 0.75


def test_the_visible_course_selectors_agree_with_courses_visible_to(history, instructor, other_trainee):
    for user in (history, instructor, other_trainee):
        expected = list(selectors.courses_visible_to(user).order_by("title"))
        got = [o.course for o in selectors.my_courses(user)]
        assert got == expected
        assert [vars(c) | {"_state": None} for c in got] == [vars(c) | {"_state": None} for c in expected]
        for course in Course.objects.all():
            outline = selectors.visible_outline(user, course.slug)
            assert (outline.course if outline else None) == (course if course in expected else None)


def test_a_parameter_django_rewrites_is_refused(db):
    with pytest.raises(ValueError, match="not in the compiled SQL"):
        Prepared(lambda slug: Course.objects.filter(slug__contains=slug).values_list("pk"), str).rows("x")
    assert LessonProgress.objects.count() == 0


def test_the_precompiled_reopen_updates_as_update_does(history, other_trainee):
    lesson = Lesson.objects.get(slug="second-1")
    later = timezone.now() + timedelta(hours=1)
    assert services._REOPEN.execute(history.pk, lesson.pk, later) == 1
    assert LessonProgress.objects.get(user=history, lesson=lesson).last_opened_at == later
    assert services._REOPEN.execute(other_trainee.pk, lesson.pk, later) == 0  # never opened: no row
    services.lesson_open(other_trainee, lesson)  # a first opening creates it
    progress = LessonProgress.objects.get(user=other_trainee, lesson=lesson)
    assert progress.first_opened_at == progress.last_opened_at and progress.completed_at is None


def test_save_fields_writes_what_save_with_update_fields_writes(trainee, course_with_lessons):
    from datetime import date

    from course.prepared import save_fields
    from quizzes.review.models import SkillLevel

    now = timezone.now()
    by_orm, by_sql = (
        SkillLevel.objects.create(user=trainee, course=course_with_lessons, skill=skill, updated_at=now)
        for skill in ("orm", "sql")
    )
    changes = {
        "level": "intermediate",
        "best_run": 2,
        "updated_at": now + timedelta(minutes=5),
        "best_items": [4, 9],
        "first_best_on": date(2026, 3, 1),
        "recent_picks": [["2026-03-01T10:00:00+00:00", 3]],
        "ready": True,
    }
    for row in (by_orm, by_sql):
        for name, value in changes.items():
            setattr(row, name, value)
    by_orm.save(update_fields=list(changes))
    assert save_fields(by_sql, changes) == 1
    columns = [*changes, "miss_run", "last_best_on"]
    stored = {row["skill"]: row for row in SkillLevel.objects.filter(user=trainee).values(*columns, "skill")}
    assert {k: v for k, v in stored["sql"].items() if k != "skill"} == {
        k: v for k, v in stored["orm"].items() if k != "skill"
    }
    assert stored["sql"]["best_items"] == [4, 9] and stored["sql"]["first_best_on"] == date(2026, 3, 1)
    by_sql.pk = 0  # a row that is not there: nothing updated, and said so
    assert save_fields(by_sql, ["level"]) == 0
