"""Every write to courses and progress: imports, lesson progress, module results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Course, Lesson, LessonProgress, Module, ModuleResult
from .package import CoursePackage, extensions, load_package
from .prepared import Prepared, update_query


@dataclass
class ImportReport:
    course: str = ""
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)

    def note(self, label: str, created: bool, changed: bool) -> None:
        if created:
            self.created.append(label)
        elif changed:
            self.updated.append(label)
        else:
            self.unchanged += 1

    def lines(self) -> list[str]:
        if not self.changed:
            return [
                f"Course {self.course!r} is already up to date: nothing changed ({self.unchanged} records checked)."
            ]
        lines = [
            f"Course {self.course!r}: {len(self.created)} created, {len(self.updated)} updated, "
            f"{self.unchanged} unchanged, {len(self.removed)} removed."
        ]
        lines += [f"  created {label}" for label in self.created]
        lines += [f"  updated {label}" for label in self.updated]
        lines += [f"  removed {label} (archived: trainees' progress is kept)" for label in self.removed]
        return lines


def sync_fields(instance: Any, values: dict[str, Any]) -> bool:
    """Set changed fields on an instance; return whether anything differed."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def upsert(model: type, lookup: dict[str, Any], values: dict[str, Any], existing: Any | None = None):
    """Create or update one row in place by its stable id; save only when something changed."""
    instance = existing if existing is not None else model.objects.filter(**lookup).first()
    if instance is None:
        return model.objects.create(**lookup, **values), True, True
    changed = sync_fields(instance, values)
    if changed:
        instance.save()
    return instance, False, changed


def course_import(path: Path | str) -> ImportReport:
    """Import a course package in one transaction: all of it, or on any problem nothing."""
    package = load_package(path)
    with transaction.atomic():
        return _apply_package(package)


def _apply_package(package: CoursePackage) -> ImportReport:
    report = ImportReport(course=package.id)
    course, created, changed = upsert(
        Course, {"slug": package.id}, {"title": package.title, "summary": package.summary}
    )
    report.note(f"course {package.id}", created, changed)

    existing_modules = {m.slug: m for m in Module.objects.filter(course=course)}
    modules: dict[str, Module] = {}
    for spec in package.modules:
        module, created, changed = upsert(
            Module,
            {"course": course, "slug": spec.id},
            {
                "title": spec.title,
                "order": spec.order,
                "summary": spec.summary,
                "references": spec.references,
                "is_active": True,
            },
            existing=existing_modules.get(spec.id),
        )
        modules[spec.id] = module
        report.note(f"module {spec.id}", created, changed)
    for spec in package.modules:
        module = modules[spec.id]
        wanted = {modules[p].pk for p in spec.prerequisites}
        if set(module.prerequisites.values_list("pk", flat=True)) != wanted:
            module.prerequisites.set(wanted)
            if f"module {spec.id}" not in report.created + report.updated:
                report.updated.append(f"module {spec.id} (prerequisites)")
    for slug, module in existing_modules.items():
        if slug not in modules and module.is_active:
            module.is_active = False
            module.save(update_fields=["is_active"])
            report.removed.append(f"module {slug}")

    existing_lessons = {lesson.slug: lesson for lesson in Lesson.objects.filter(module__course=course)}
    seen: set[str] = set()
    for spec in package.modules:
        for lesson_spec in spec.lessons:
            seen.add(lesson_spec.id)
            lesson = existing_lessons.get(lesson_spec.id)
            values = {
                "module": modules[spec.id],
                "title": lesson_spec.title,
                "order": lesson_spec.order,
                "estimated_minutes": lesson_spec.minutes,
                "body_markdown": lesson_spec.body,
                "objectives": lesson_spec.objectives,
                "key_terms": lesson_spec.key_terms,
                "references": lesson_spec.references,
                "is_active": True,
            }
            if lesson is None:
                Lesson.objects.create(slug=lesson_spec.id, **values)
                report.note(f"lesson {lesson_spec.id}", True, True)
            else:
                changed = sync_fields(lesson, values)
                if changed:
                    lesson.save()
                report.note(f"lesson {lesson_spec.id}", False, changed)
    for slug, lesson in existing_lessons.items():
        if slug not in seen and lesson.is_active:
            lesson.is_active = False
            lesson.save(update_fields=["is_active"])
            report.removed.append(f"lesson {slug}")

    for extension in extensions():
        extension.apply(course, modules, package.sections.get(extension.name), report)
    return report


# A reopened lesson's one UPDATE, compiled once (course/prepared.py): every lesson page runs it.
_REOPEN = Prepared(
    lambda user_id, lesson_id, now: update_query(
        LessonProgress.objects.filter(user_id=user_id, lesson_id=lesson_id), last_opened_at=now
    ),
    int,
    int,
    datetime,
)


def lesson_open(user, lesson: Lesson) -> None:
    """Record that the trainee opened the lesson. A reopening (the common case) is one UPDATE in
    autocommit, no transaction around it; only a first opening goes on to create the row, and two
    first openings racing still make one."""
    now = timezone.now()
    if _REOPEN.execute(user.pk, lesson.pk, now):
        return
    LessonProgress.objects.get_or_create(
        user=user, lesson=lesson, defaults={"first_opened_at": now, "last_opened_at": now}
    )


def lesson_complete(user, lesson: Lesson) -> LessonProgress:
    """Mark a lesson complete; completing twice keeps the first completion time."""
    now = timezone.now()
    progress, _ = LessonProgress.objects.get_or_create(
        user=user, lesson=lesson, defaults={"first_opened_at": now, "last_opened_at": now, "completed_at": now}
    )
    if progress.completed_at is None:
        LessonProgress.objects.filter(pk=progress.pk, completed_at__isnull=True).update(completed_at=now)
        progress.refresh_from_db()
    return progress


def module_set_quiz_required(module: Module, required: bool) -> bool:
    if module.quiz_required == required:
        return False
    module.quiz_required = required
    module.save(update_fields=["quiz_required"])
    return True


def module_result_record(user, module: Module, score: float, passed: bool) -> ModuleResult:
    """Record an assessment result: the best score counts, and a pass is never taken back."""
    now = timezone.now()
    with transaction.atomic():
        result, created = ModuleResult.objects.select_for_update().get_or_create(
            user=user, module=module, defaults={"best_score": score, "passed_at": now if passed else None}
        )
        if not created:
            result.best_score = max(result.best_score, score)
            if passed and result.passed_at is None:
                result.passed_at = now
            result.save(update_fields=["best_score", "passed_at", "updated_at"])
    return result
