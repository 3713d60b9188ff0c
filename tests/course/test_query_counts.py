"""Every trainee read of the course app, pinned: the structure is cached per course version, so a
warm request makes only the trainee's own queries; lesson bodies are loaded only by the lesson views."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from course import structure
from course.models import Course, Lesson, Module

PAGES = [
    # session, user, visible courses with lesson progress and module results in one UNION (+ the page's own), and the
    # nav's unread notifications count on every page (issue 11)
    # + the home's panels: the quiz to pass, an instructor's comment, the review forecast
    ("course:my_courses", [], 7),
    ("course:module", ["relationship", "first"], 4),  # a module without a quiz: no panel queries
    # + lesson progress reopened (one UPDATE); the body was loaded by the first request (kept per version)
    ("course:lesson", ["relationship", "first-1"], 5),
]
API = [
    ("/api/v1/courses/", 1),
    ("/api/v1/courses/relationship/", 1),
    ("/api/v1/courses/relationship/modules/", 1),
    ("/api/v1/courses/relationship/modules/first/", 1),
    ("/api/v1/courses/relationship/lessons/first-1/", 2),  # + reopen the lesson (one UPDATE); its body is kept
    ("/api/v1/progress/", 1),
]


@pytest.mark.parametrize("name,args,count", PAGES)
def test_page_query_counts(trainee_client, course_with_lessons, django_assert_num_queries, name, args, count):
    url = reverse(name, args=args)
    assert trainee_client.get(url).status_code == 200
    with django_assert_num_queries(count):
        assert trainee_client.get(url).status_code == 200


@pytest.mark.parametrize("url,count", API)
def test_api_query_counts(api_client, course_with_lessons, django_assert_num_queries, url, count):
    assert api_client.get(url).status_code == 200
    with django_assert_num_queries(count):
        assert api_client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/courses/", "/api/v1/progress/", "/api/v1/courses/relationship/"])
def test_no_read_but_the_lesson_loads_a_body(api_client, course_with_lessons, url):
    with CaptureQueriesContext(connection) as queries:
        assert api_client.get(url).status_code == 200
    assert not any("body_" in q["sql"] for q in queries.captured_queries)


def test_the_lesson_api_loads_exactly_one_body(api_client, course_with_lessons):
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get("/api/v1/courses/relationship/lessons/first-1/")
    assert response.json()["body_html"]
    assert sum("body_html" in q["sql"] for q in queries.captured_queries) == 1


def _version(course) -> int:
    return Course.objects.values_list("structure_version", flat=True).get(pk=course.pk)


def test_module_lesson_and_prerequisite_changes_bump_the_version(course_with_lessons):
    course = course_with_lessons
    before = _version(course)
    lesson = Lesson.objects.get(slug="first-1")
    lesson.title = "Renamed"
    lesson.save()
    assert _version(course) == before + 1
    second = Module.objects.get(slug="second")
    second.prerequisites.clear()
    assert _version(course) == before + 2
    Module.objects.get(slug="first").save()
    assert _version(course) == before + 3


def test_an_edit_shows_on_the_next_read(api_client, course_with_lessons):
    assert api_client.get("/api/v1/courses/relationship/").json()["modules"][0]["lessons"][0]["title"] != "Renamed"
    lesson = Lesson.objects.get(slug="first-1")
    lesson.title = "Renamed"
    lesson.save()
    assert api_client.get("/api/v1/courses/relationship/").json()["modules"][0]["lessons"][0]["title"] == "Renamed"


def test_admin_save_invalidates(admin_client, course_with_lessons, api_client):
    api_client.get("/api/v1/courses/relationship/")
    course = Course.objects.get(pk=course_with_lessons.pk)
    old_key = structure.cache_key(course)
    assert cache.get(old_key) is not None
    module = Module.objects.get(slug="second")
    response = admin_client.post(
        reverse("admin:attune_course_module_change", args=[module.pk]),
        {
            "course": course.pk, "slug": "second", "title": "Second, renamed", "summary": "", "order": 2,
            "references": "[]", "is_active": "on", "prerequisites": [],
            "lessons-TOTAL_FORMS": "0", "lessons-INITIAL_FORMS": "0",
            "lessons-MIN_NUM_FORMS": "0", "lessons-MAX_NUM_FORMS": "1000",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content[:2000]
    course.refresh_from_db()
    assert structure.cache_key(course) != old_key
    modules = api_client.get("/api/v1/courses/relationship/").json()["modules"]
    assert modules[1]["title"] == "Second, renamed" and modules[1]["locked"] is False


def test_import_invalidates(db, make_package):
    from course.services import course_import

    path = make_package()
    course_import(path)
    course = Course.objects.get(slug="starter")
    version = course.structure_version
    structure.course_modules([course])
    lesson = Lesson.objects.filter(module__course=course).first()
    Lesson.objects.filter(pk=lesson.pk).update(title="Changed outside")  # an update() bypasses signals ...
    course_import(path)  # ... the import puts the title back and moves the version on
    course.refresh_from_db()
    assert course.structure_version > version
    modules = structure.course_modules([course])[course.pk]
    assert "Changed outside" not in [lesson.title for m in modules for lesson in m.lessons.all()]


def test_the_lesson_views_leave_the_cached_structure_alone(api_client, trainee_client, course_with_lessons):
    """Each process shares one unpickled structure per course version: no request may write on it."""
    api_client.get("/api/v1/courses/relationship/lessons/first-1/")
    trainee_client.get(reverse("course:lesson", args=["relationship", "first-1"]))
    course = Course.objects.get(pk=course_with_lessons.pk)
    lessons = [lesson for m in structure.course_modules([course])[course.pk] for lesson in m.lesson_list]
    assert lessons and not any("body_html" in vars(lesson) or "completed" in vars(lesson) for lesson in lessons)


def test_a_lesson_body_edit_shows_on_the_next_page(trainee_client, api_client, course_with_lessons):
    url = reverse("course:lesson", args=["relationship", "first-1"])
    assert "Rewritten." not in trainee_client.get(url).content.decode()
    lesson = Lesson.objects.get(slug="first-1")
    lesson.body_markdown = "Rewritten."
    lesson.save()  # as the import and the admin save: the version moves, the kept body with it
    assert "<p>Rewritten.</p>" in trainee_client.get(url).content.decode()
    assert api_client.get("/api/v1/courses/relationship/lessons/first-1/").json()["body_html"] == "<p>Rewritten.</p>"


def test_a_fragment_is_rendered_once_per_course_version_and_language(course_with_lessons):
    from django.utils.translation import get_language, override

    calls = []

    def render():
        calls.append(get_language())
        return f"<p>{get_language()}</p>"

    course = Course.objects.get(pk=course_with_lessons.pk)
    with override("en"):
        assert structure.fragment(course, ("probe", 1), render) == "<p>en</p>"
        assert structure.fragment(course, ("probe", 1), render) == "<p>en</p>"
        assert structure.fragment(course, ("probe", 2), render) == "<p>en</p>"
    with override("de"):
        assert structure.fragment(course, ("probe", 1), render) == "<p>de</p>"
    assert calls == ["en", "en", "de"]
    Lesson.objects.get(slug="first-1").save()  # any structure change moves the version on
    course.refresh_from_db()
    with override("en"):
        structure.fragment(course, ("probe", 1), render)
    assert calls == ["en", "en", "de", "en"]


def test_a_lesson_title_edit_shows_in_the_article_at_once(trainee_client, course_with_lessons):
    url = reverse("course:lesson", args=["relationship", "first-1"])
    assert "<h1>Renamed</h1>" not in trainee_client.get(url).content.decode()
    lesson = Lesson.objects.get(slug="first-1")
    lesson.title = "Renamed"
    lesson.objectives = ["Name the rupture"]
    lesson.save()
    page = trainee_client.get(url).content.decode()
    assert "<h1>Renamed</h1>" in page and "<li>Name the rupture</li>" in page


def test_the_module_pages_lesson_list_follows_the_ticks_and_the_course(trainee_client, trainee, course_with_lessons):
    from course import services

    url = reverse("course:module", args=["relationship", "first"])
    assert trainee_client.get(url).content.decode().count("✓ complete") == 0
    services.lesson_complete(trainee, Lesson.objects.get(slug="first-2"))
    page = trainee_client.get(url).content.decode()
    assert page.count("✓ complete") == 1 and page.index("First steps 2") < page.index("✓ complete")
    course = Course.objects.get(pk=course_with_lessons.pk)
    course.slug = "renamed"
    course.save()  # the course's own row: no structure change, yet its lessons' links move
    page = trainee_client.get(reverse("course:module", args=["renamed", "first"])).content.decode()
    assert 'href="/courses/renamed/lessons/first-1/"' in page and "/courses/relationship/" not in page
