"""Shared fixtures: services check, personas, factories and course packages built on disk."""

import os
import socket
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import factory
import pytest
import yaml
from django.contrib.auth import get_user_model
from django.db import connection

from course.models import Cohort, Course, Enrollment, Lesson, Module

IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "a-long-test-password"


def pytest_configure(config):
    if not IN_CI:
        return
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise pytest.UsageError("CI=true needs DATABASE_URL pointing at PostgreSQL; it is missing or not PostgreSQL.")
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        raise pytest.UsageError("CI=true needs REDIS_URL; it is missing.")
    for name, url in (("PostgreSQL", database_url), ("Redis", redis_url)):
        parsed = urlparse(url)
        try:
            socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 0), timeout=3).close()
        except OSError as exc:
            raise pytest.UsageError(f"CI=true but {name} at {parsed.hostname}:{parsed.port} is not reachable: {exc}")


def require(service: str) -> None:
    """Skip locally when a service is not configured; under CI a missing service is an error."""
    configured = {
        "postgres": connection.vendor == "postgresql",
        "redis": bool(os.environ.get("REDIS_URL")),
    }[service]
    if not configured:
        if IN_CI:
            pytest.fail(f"{service} is required under CI=true but is not configured")
        pytest.skip(f"needs {service}: set {'DATABASE_URL' if service == 'postgres' else 'REDIS_URL'}")


@pytest.fixture
def postgres():
    require("postgres")


@pytest.fixture
def redis_url():
    require("redis")
    return os.environ["REDIS_URL"]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    slug = factory.Sequence(lambda n: f"course-{n}")
    title = factory.Sequence(lambda n: f"Course {n}")


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    course = factory.SubFactory(CourseFactory)
    slug = factory.Sequence(lambda n: f"module-{n}")
    title = factory.Sequence(lambda n: f"Module {n}")
    order = factory.Sequence(lambda n: n + 1)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    module = factory.SubFactory(ModuleFactory)
    slug = factory.Sequence(lambda n: f"lesson-{n}")
    title = factory.Sequence(lambda n: f"Lesson {n}")
    order = factory.Sequence(lambda n: n + 1)
    body_markdown = "Some **text**."


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    course = factory.SubFactory(CourseFactory)
    name = factory.Sequence(lambda n: f"Cohort {n}")
    start_date = date(2026, 9, 1)


def enroll(user, cohort):
    Enrollment.objects.get_or_create(user=user, cohort=cohort)
    return user


@pytest.fixture
def course_with_lessons(db):
    """A course of two modules (the second needs the first), two lessons each."""
    course = CourseFactory(slug="relationship", title="The Relationship")
    first = ModuleFactory(course=course, slug="first", title="First steps", order=1)
    second = ModuleFactory(course=course, slug="second", title="Second steps", order=2)
    second.prerequisites.add(first)
    for module in (first, second):
        for index in (1, 2):
            LessonFactory(module=module, slug=f"{module.slug}-{index}", title=f"{module.title} {index}", order=index)
    give_shipped_vocabulary(course)
    return course


def give_shipped_vocabulary(course) -> None:
    """The shipped course's skills and dimensions (its vocabulary.yaml), for courses built by hand."""
    from course.conf import SHIPPED_COURSE_PATH
    from quizzes.models import Dimension, Skill

    data = yaml.safe_load((SHIPPED_COURSE_PATH / "vocabulary.yaml").read_text(encoding="utf-8"))
    for model, part in ((Skill, "skills"), (Dimension, "dimensions")):
        model.objects.bulk_create(
            [model(course=course, key=e["id"], name=e["name"], order=n) for n, e in enumerate(data[part], start=1)]
        )


@pytest.fixture
def cohort(course_with_lessons):
    return CohortFactory(course=course_with_lessons, name="Autumn")


@pytest.fixture
def trainee(cohort):
    return enroll(UserFactory(username="trainee"), cohort)


@pytest.fixture
def other_trainee(db):
    """A trainee in a cohort of another course."""
    other_cohort = CohortFactory(course=CourseFactory(slug="other-course"), name="Elsewhere")
    return enroll(UserFactory(username="other_trainee"), other_cohort)


@pytest.fixture
def instructor(cohort):
    user = UserFactory(username="instructor")
    cohort.instructors.add(user)
    return user


@pytest.fixture
def other_instructor(db):
    user = UserFactory(username="other_instructor")
    CohortFactory(course=CourseFactory(slug="another"), name="Another").instructors.add(user)
    return user


@pytest.fixture
def trainee_client(client, trainee):
    client.force_login(trainee)
    return client


@pytest.fixture
def api_client(trainee):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(trainee)
    return api


MINIMAL_VOCABULARY = (
    "skills:\n  - {id: rupture.withdrawal.notice, name: Noticing a withdrawal rupture}\n"
    "  - {id: here_and_now.immediacy, name: Immediacy}\n"
    "dimensions:\n  - {id: rupture_repair, name: Alliance-rupture-repair responsiveness}\n"
    "  - {id: empathy, name: Empathy}\n"
)
MINIMAL_COURSE = {
    "course.yaml": "id: starter\ntitle: Starter course\nsummary: A small course.\n",
    "vocabulary.yaml": MINIMAL_VOCABULARY,
    "modules/01-basics/module.yaml": (
        "id: basics\ntitle: Basics\norder: 1\nsummary: The basics.\nprerequisites: []\n"
        'references:\n  - key: bordin1979\n    apa: "Bordin, E. S. (1979). The working alliance."\n'
    ),
    "modules/01-basics/lessons/01-first.md": (
        "---\nid: basics-first\ntitle: First lesson\norder: 1\nminutes: 3\nobjectives: [Read it]\n"
        "references: [bordin1979]\n---\nThe alliance has three parts (Bordin, 1979). {evidence=opinion}\n"
    ),
    "modules/01-basics/lessons/02-second.md": (
        "---\nid: basics-second\ntitle: Second lesson\norder: 2\n---\nMore text.\n"
    ),
    "modules/02-next/module.yaml": "id: next\ntitle: Next\norder: 2\nprerequisites: [basics]\n",
    "modules/02-next/lessons/01-third.md": "---\nid: next-first\ntitle: Third lesson\norder: 1\n---\nBody.\n",
}


def write_package(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def make_package(tmp_path):
    """Write a course package: the minimal course with some files replaced (None removes a file)."""

    def make(changes: dict[str, str | bytes | None] | None = None, name: str = "pkg") -> Path:
        files = {**MINIMAL_COURSE, **(changes or {})}
        return write_package(tmp_path / name, {k: v for k, v in files.items() if v is not None})

    return make


# A small package that passes validate_course: one module with three items of one isomorph
# group (one write_first, one with a branch step), a reflection, a lesson of ~350 words and a
# fact. Tests replace one file to break one rule.

VALID_LESSON_PARAGRAPH = (
    "The working alliance has three parts: agreement on goals, agreement on tasks and the bond that "
    "carries them (Bordin, 1979). Ruptures are tensions in that collaboration, and naming them openly "
    "tends to help {evidence=consensus}. Safran and Muran (2000) describe how a therapist can invite "
    "the client to say what went wrong between them.\n\n"
)


def valid_lesson(body: str | None = None, **front_matter) -> str:
    fields = {
        "id": "basics-first",
        "title": "First lesson",
        "order": 1,
        "minutes": 4,
        "objectives": ["Name the three parts of the alliance."],
        "key_terms": [{"term": "Working alliance", "definition": "Goals, tasks and bond (Bordin, 1979)."}],
        "references": ["bordin1979", "safran2000"],
        **front_matter,
    }
    fields = {key: value for key, value in fields.items() if value is not None}
    body = VALID_LESSON_PARAGRAPH * 7 if body is None else body
    return "---\n" + yaml.safe_dump(fields, sort_keys=False) + "---\n" + body


def valid_option(option_id: str, grade: int, text: str, **extra) -> dict:
    return {"id": option_id, "text": text, "grade": grade, "rationale": f"Why {option_id} earns {grade}.", **extra}


# The valid package's three items share a skill, so they hold one item at each level.
VALID_LEVELS = {"m1-priya": "beginner", "m1-tomas": "intermediate", "m1-ada": "advanced"}


def valid_item(item_id: str, client: str = "Priya, 34", **changes) -> dict:
    """A scenario item whose best option (b) is neither the longest nor far from the others in length."""
    item = {
        "id": item_id,
        "version": 1,
        "skill": "rupture.withdrawal.notice",
        "difficulty": VALID_LEVELS.get(item_id, "intermediate"),
        "content_note": None,
        "write_first": False,
        "vignette": f"{client}, has been quieter than usual since last week's session about her job.",
        "client_statement": "Yeah, the plan was fine, I guess.",
        "options": [
            valid_option("a", 2, "You sound unsure about the plan. Some part doesn't fit."),
            valid_option("b", 3, "Can we pause? I sense that something has shifted."),
            valid_option("c", 0, "Great, then let's get going with this week's homework."),
            valid_option("d", 1, "Plans often feel odd at first; it gets easier with practice."),
        ],
        **changes,
    }
    return item


def valid_branch_item(item_id: str, client: str = "Tomás, 52") -> dict:
    item = valid_item(item_id, client)
    item["options"][1]["next"] = {
        "client_reply": "Honestly? It felt like I was your project.",
        "options": [
            valid_option("a", 3, "Thank you for telling me. I'd like to hear more."),
            valid_option("b", 0, "That's not what I meant at all, you misheard me."),
            valid_option("c", 2, "Being someone's project sounds lonely. When did it start?"),
        ],
    }
    return item


def valid_course_files() -> dict[str, str]:
    reflection = {
        "prompt": "Debbie says she is not sure what you are doing together. What do you say?",
        "rubric": ["Names the marker", "Invites the client in"],
        "exemplar": "I'm glad you said that. Could we look at what you want to be different?",
    }
    module = {
        "id": "basics",
        "title": "Basics",
        "order": 1,
        "summary": "The basics.",
        "prerequisites": [],
        "references": [
            {"key": "bordin1979", "apa": "Bordin, E. S. (1979). The working alliance. Psychotherapy, 16(3), 252-260."},
            {"key": "safran2000", "apa": "Safran, J. D., & Muran, J. C. (2000). Negotiating the alliance. Guilford."},
        ],
        "quiz": {"pass_threshold": 0.7, "reflection": reflection},
    }
    fact = {
        "id": "fact-alliance-r",
        "module": "basics",
        "question": "About how strongly does the alliance correlate with outcome?",
        "options": [{"id": "a", "text": "r = .28", "correct": True}, {"id": "b", "text": "r = .68", "correct": False}],
        "explanation": "A moderate association across many studies.",
    }
    items = {
        "m1-priya": valid_item("m1-priya", "Priya, 34", write_first=True),
        "m1-tomas": valid_branch_item("m1-tomas", "Tomás, 52"),
        "m1-ada": valid_item("m1-ada", "Ada, 71"),
    }
    files = {
        "course.yaml": "id: starter\ntitle: Starter course\nsummary: A small course.\n",
        "vocabulary.yaml": MINIMAL_VOCABULARY,
        "modules/01-basics/module.yaml": yaml.safe_dump(module, sort_keys=False),
        "modules/01-basics/lessons/01-first.md": valid_lesson(),
        "facts.yaml": yaml.safe_dump([fact], sort_keys=False),
    }
    files.update(
        {f"modules/01-basics/items/{name}.yaml": yaml.safe_dump(item, sort_keys=False) for name, item in items.items()}
    )
    return files


def item_file(item: dict) -> str:
    return yaml.safe_dump(item, sort_keys=False, allow_unicode=True)


@pytest.fixture
def make_valid_package(tmp_path):
    """Write the valid package with some files replaced (None removes a file); a dict is written as YAML."""

    def make(changes: dict[str, str | dict | list | None] | None = None, name: str = "valid") -> Path:
        files = {**valid_course_files(), **(changes or {})}
        files = {k: item_file(v) if isinstance(v, dict | list) else v for k, v in files.items() if v is not None}
        return write_package(tmp_path / name, files)

    return make


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: the database is rolled back between tests, the cache is not."""
    from django.core.cache import cache

    from course import structure
    from quizzes import items

    cache.clear()
    structure.forget()
    items.forget()
    yield
    cache.clear()
    structure.forget()
    items.forget()
