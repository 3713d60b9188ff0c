import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from course.models import Course, Lesson, LessonProgress, Module
from course.services import course_import, lesson_complete
from tests.conftest import MINIMAL_COURSE, UserFactory

pytestmark = pytest.mark.django_db


def import_output(path) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_course", str(path), stdout=out)
    return out.getvalue()


def test_import_creates_course_modules_lessons_and_prerequisites(make_package):
    output = import_output(make_package())
    course = Course.objects.get(slug="starter")
    assert [m.slug for m in course.modules.all()] == ["basics", "next"]
    assert list(Module.objects.get(slug="next").prerequisites.values_list("slug", flat=True)) == ["basics"]
    lesson = Lesson.objects.get(slug="basics-first")
    assert lesson.estimated_minutes == 3 and lesson.objectives == ["Read it"]
    assert 'class="evidence evidence--opinion"' in lesson.body_html
    assert "10 created" in output  # course, 2 modules, 3 lessons, and the vocabulary's 4 entries


def test_second_import_changes_nothing_and_says_so(make_package):
    path = make_package()
    import_output(path)
    lesson = Lesson.objects.get(slug="basics-first")
    output = import_output(path)
    assert "already up to date: nothing changed" in output
    lesson_after = Lesson.objects.get(slug="basics-first")
    assert lesson_after.pk == lesson.pk
    assert lesson_after.body_html == lesson.body_html


def test_editing_a_lesson_updates_in_place_and_keeps_progress(make_package, tmp_path):
    course_import(make_package())
    user = UserFactory()
    lesson = Lesson.objects.get(slug="basics-first")
    lesson_complete(user, lesson)
    edited = MINIMAL_COURSE["modules/01-basics/lessons/01-first.md"].replace("three parts", "three linked parts")
    report = course_import(make_package({"modules/01-basics/lessons/01-first.md": edited}, name="edited"))
    assert report.updated == ["lesson basics-first"]
    lesson.refresh_from_db()
    assert "three linked parts" in lesson.body_html
    assert LessonProgress.objects.get(user=user, lesson=lesson).completed_at is not None


def test_removed_lesson_is_reported_and_archived_with_progress_kept(make_package):
    course_import(make_package())
    user = UserFactory()
    lesson_complete(user, Lesson.objects.get(slug="basics-second"))
    report = course_import(make_package({"modules/01-basics/lessons/02-second.md": None}, name="smaller"))
    assert report.removed == ["lesson basics-second"]
    assert any("removed lesson basics-second" in line for line in report.lines())
    lesson = Lesson.objects.get(slug="basics-second")
    assert lesson.is_active is False
    assert LessonProgress.objects.filter(user=user, lesson=lesson).exists()


def test_lesson_moved_to_another_module_keeps_its_row(make_package):
    course_import(make_package())
    lesson_id = Lesson.objects.get(slug="next-first").pk
    moved = {
        "modules/02-next/lessons/01-third.md": None,
        "modules/01-basics/lessons/03-third.md": "---\nid: next-first\ntitle: Third lesson\norder: 3\n---\nBody.\n",
    }
    course_import(make_package(moved, name="moved"))
    lesson = Lesson.objects.get(slug="next-first")
    assert lesson.pk == lesson_id and lesson.module.slug == "basics"


MALFORMED = {
    "bad YAML": (
        {"modules/01-basics/module.yaml": "id: basics\ntitle: [unclosed\norder: 1\n"},
        ["modules/01-basics/module.yaml:", "invalid YAML"],
    ),
    "missing field": (
        {"modules/01-basics/module.yaml": "id: basics\norder: 1\n"},
        ["modules/01-basics/module.yaml:1: title: is required"],
    ),
    "unknown prerequisite": (
        {"modules/02-next/module.yaml": "id: next\ntitle: Next\norder: 2\nprerequisites: [basic]\n"},
        ["modules/02-next/module.yaml", "prerequisites", "unknown prerequisite 'basic'"],
    ),
    "duplicate lesson id": (
        {"modules/02-next/lessons/01-third.md": "---\nid: basics-first\ntitle: Copy\norder: 1\n---\nBody.\n"},
        ["modules/02-next/lessons/01-third.md", "id", "duplicate lesson id 'basics-first'"],
    ),
    "prerequisite cycle": (
        {"modules/01-basics/module.yaml": "id: basics\ntitle: Basics\norder: 1\nprerequisites: [next]\n"},
        ["prerequisites", "prerequisite cycle", "basics -> next -> basics"],
    ),
    "unreadable file": (
        {"modules/01-basics/lessons/01-first.md": b"---\nid: x\n\xff\xfe broken\n"},
        ["modules/01-basics/lessons/01-first.md", "not valid UTF-8"],
    ),
    "wrong type with line": (
        {"modules/01-basics/lessons/02-second.md": "---\nid: basics-second\ntitle: Second\norder: two\n---\nx\n"},
        ["modules/01-basics/lessons/02-second.md:4: order: must be a whole number, not text 'two'"],
    ),
    "duplicate YAML key": (
        {"course.yaml": "id: starter\ntitle: One\ntitle: Two\n"},
        ["course.yaml:3", "duplicate key 'title'"],
    ),
    "missing front matter": (
        {"modules/02-next/lessons/01-third.md": "# Just a heading\n"},
        ["modules/02-next/lessons/01-third.md:1", "front matter"],
    ),
}


@pytest.mark.parametrize("case", MALFORMED.keys())
def test_malformed_package_names_the_problem_and_imports_nothing(make_package, case):
    changes, expected = MALFORMED[case]
    with pytest.raises(CommandError) as excinfo:
        import_output(make_package(changes))
    message = str(excinfo.value)
    assert message.startswith("Nothing was imported")
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert Course.objects.count() == 0
    assert Lesson.objects.count() == 0


def test_malformed_update_leaves_the_previous_import_untouched(make_package):
    course_import(make_package())
    before = list(Lesson.objects.values_list("slug", "title", "is_active").order_by("slug"))
    broken = {
        "modules/01-basics/lessons/01-first.md": "---\nid: basics-first\ntitle: Renamed\norder: 1\n---\nNew.\n",
        "modules/02-next/module.yaml": "id: next\ntitle: Next\norder: 2\nprerequisites: [nowhere]\n",
    }
    with pytest.raises(CommandError):
        import_output(make_package(broken, name="broken"))
    assert list(Lesson.objects.values_list("slug", "title", "is_active").order_by("slug")) == before


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="is not a folder holding a course package"):
        import_output(tmp_path / "nowhere")
