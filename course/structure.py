"""A course's structure (active modules, their lessons without bodies, prerequisites), cached per
course version.

Every save or delete of a module or lesson, and every change of prerequisites (the import, the
admin, a shell), bumps Course.structure_version in the same transaction, so the cache key of a
changed course moves on when the change commits; stale entries simply expire. The cache is
Django's (LocMem unless the host configures another): per process is fine, the key is in the DB.
In front of it each process keeps the unpickled structures it has seen, by the same key: LocMem
pickles, and unpickling 31 lessons cost more than the trainee's own queries. Callers must not
mutate what they get (copy a lesson before setting per-request attributes on it).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.db.models import F, Prefetch
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import get_language

from .models import Course, Lesson, Module

# What the outline, the lists and the progress views show of a lesson: never its body.
LESSON_FIELDS = ("id", "module_id", "slug", "title", "order", "estimated_minutes", "objectives", "key_terms",
                 "references", "is_active")  # fmt: skip
TIMEOUT = 24 * 3600
LOCAL_MAX = 256  # structures kept unpickled per process; a course version is a few KB
_local: dict[str, list[Module]] = {}
BODIES_MAX = 512  # lesson bodies kept per process (a few KB each), by course version and lesson
_bodies: dict[tuple[str, int], str] = {}
FRAGMENTS_MAX = 1024  # rendered fragments kept per process, by course version, language and name
_fragments: dict[tuple, str] = {}


def forget() -> None:
    """Drop this process's structures, bodies and fragments (tests do, with the cache, between tests)."""
    _local.clear()
    _bodies.clear()
    _fragments.clear()


def cache_key(course: Course) -> str:
    stamp = int(course.created_at.timestamp()) if course.created_at else 0
    return f"attune:course-structure:{course.pk}:{stamp}:{course.structure_version}"


def _fetch(course_ids: list[int]) -> dict[int, list[Module]]:
    # A module's one-to-one extensions (quizzes' Quiz) ride with the structure: they bump the
    # version when they change, and a shared module never loads one lazily for everyone after.
    extensions = [r.name for r in Module._meta.related_objects if r.one_to_one]
    modules = (
        Module.objects.filter(course_id__in=course_ids, is_active=True)
        .select_related(*extensions)
        .order_by("course_id", "order")
        .prefetch_related(
            Prefetch("lessons", queryset=Lesson.objects.filter(is_active=True).only(*LESSON_FIELDS).order_by("order")),
            Prefetch("prerequisites", queryset=Module.objects.filter(is_active=True).order_by("order")),
        )
    )
    found: dict[int, list[Module]] = {pk: [] for pk in course_ids}
    for module in modules:
        # Plain lists: each .all() on a prefetched relation builds a new QuerySet, on every request.
        module.lesson_list = list(module.lessons.all())
        module.prerequisite_list = list(module.prerequisites.all())
        found[module.course_id].append(module)
    return found


def course_modules(courses: list[Course]) -> dict[int, list[Module]]:
    """Each course's active modules with lessons and prerequisites prefetched: from the cache, or
    in three queries for all the courses it missed."""
    keys = {cache_key(c): c for c in courses}
    found = {c.pk: _local[k] for k, c in keys.items() if k in _local}
    if len(found) == len(keys):
        return found
    hits = cache.get_many([k for k in keys if k not in _local])
    found.update({keys[k].pk: v for k, v in hits.items()})
    missing = [c for c in keys.values() if c.pk not in found]
    if missing:
        fetched = _fetch([c.pk for c in missing])
        cache.set_many({cache_key(c): fetched[c.pk] for c in missing}, TIMEOUT)
        found.update(fetched)
    if len(_local) + len(keys) > LOCAL_MAX:
        _local.clear()
    _local.update({k: found[c.pk] for k, c in keys.items()})
    return found


def lesson_body(course: Course, lesson_id: int) -> str:
    """A lesson's rendered body, kept per process under the course's version (a lesson's save moves
    it): one query the first time this process shows the lesson in this version, none after."""
    key = (cache_key(course), lesson_id)
    body = _bodies.get(key)
    if body is None:
        body = Lesson.objects.values_list("body_html", flat=True).get(pk=lesson_id)
        if len(_bodies) >= BODIES_MAX:
            _bodies.clear()
        _bodies[key] = body
    return body


def fragment(course: Course, name: tuple, render: Callable[[], str]) -> str:
    """HTML that depends on the course (its structure, slug and row) and the language alone (a
    lesson's article, say), rendered once per process, course version and language: render() must
    read nothing else, or name it in `name` (the script prefix of a URL, a trainee's ticks)."""
    # The version moves with the structure; slug and updated_at with an edit of the course itself.
    key = (cache_key(course), course.slug, course.updated_at, get_language(), *name)
    html = _fragments.get(key)
    if html is None:
        html = render()
        if len(_fragments) >= FRAGMENTS_MAX:
            _fragments.clear()
        _fragments[key] = html
    return html


def bump(course_id: int | None) -> None:
    if course_id is not None:
        Course.objects.filter(pk=course_id).update(structure_version=F("structure_version") + 1)


def extension_changed(sender, instance, **kwargs) -> None:
    """For a module's one-to-one extension (connected by its app): its change moves the version."""
    module = Module.objects.filter(pk=instance.module_id).values_list("course_id", flat=True).first()
    bump(module)


def _module_changed(sender, instance: Module, **kwargs) -> None:
    bump(instance.course_id)


def _lesson_changed(sender, instance: Lesson, **kwargs) -> None:
    if Lesson.module.is_cached(instance):
        bump(instance.module.course_id)
    else:
        bump(Module.objects.filter(pk=instance.module_id).values_list("course_id", flat=True).first())


def _prerequisites_changed(sender, instance, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Module):
        bump(instance.course_id)


def connect_signals() -> None:
    for signal in (post_save, post_delete):
        signal.connect(_module_changed, sender=Module, dispatch_uid="attune-structure-module")
        signal.connect(_lesson_changed, sender=Lesson, dispatch_uid="attune-structure-lesson")
    m2m_changed.connect(
        _prerequisites_changed, sender=Module.prerequisites.through, dispatch_uid="attune-structure-prereq"
    )
