"""A course's scenario items, kept in each process under the course's structure version.

An answer needs its item (steps, grades, version) on every request; items change only through the
import and the admin, so each process keeps the course's items it has loaded by the course's
structure cache key (course/structure.py), and every save or delete of an item, and the import's
archiving, moves that version on (connected in QuizzesConfig.ready). One query on a miss, none after.
Callers must not mutate what they get.
"""

from __future__ import annotations

from course import structure

from .models import Item

LOCAL_MAX = 64  # course versions kept per process
_local: dict[str, dict[int, Item]] = {}


def forget() -> None:
    """Drop this process's items (tests do between tests, with the structure cache)."""
    _local.clear()


def course_items(course) -> dict[int, Item]:
    """Every item of the course, archived ones too (an open attempt keeps its items), by pk."""
    key = structure.cache_key(course)
    found = _local.get(key)
    if found is None:
        found = {item.pk: item for item in Item.objects.filter(course_id=course.pk)}
        if len(_local) >= LOCAL_MAX:
            _local.clear()
        _local[key] = found
    return found


def item_changed(sender, instance: Item, **kwargs) -> None:
    structure.bump(instance.course_id)


def active_count(course, quiz_id: int) -> int:
    """How many active items the quiz has (the module page says so), from the course's kept items."""
    return sum(1 for item in course_items(course).values() if item.quiz_id == quiz_id and item.is_active)
