"""The API's plain-dict answers (course/api/payloads.py) equal what its DRF serializers produce."""

import json

import pytest
from django.utils import timezone

from course import selectors, services
from course.api import payloads
from course.api import serializers as s
from course.models import Lesson, ModuleResult


def _same(payload, serializer_data):
    assert payload == serializer_data
    assert json.dumps(payload) == json.dumps(serializer_data)  # the same types, in the same key order


@pytest.mark.parametrize("stage", ["fresh", "started", "lessons read", "passed"])
def test_every_payload_equals_its_serializer(trainee, course_with_lessons, stage):
    first = course_with_lessons.modules.get(slug="first")
    if stage != "fresh":
        services.lesson_open(trainee, Lesson.objects.get(slug="first-1"))
    if stage in ("lessons read", "passed"):
        for lesson in first.lessons.all():
            services.lesson_complete(trainee, lesson)
    if stage == "passed":
        ModuleResult.objects.create(user=trainee, module=first, best_score=1, passed_at=timezone.now())
    outlines = selectors.my_courses(trainee)
    (outline,) = outlines
    _same([payloads.course_summary(o) for o in outlines], s.CourseSummarySerializer(outlines, many=True).data)
    _same(payloads.course_detail(outline), s.CourseDetailSerializer(outline).data)
    _same([payloads.module(m) for m in outline.modules], s.ModuleSerializer(outline.modules, many=True).data)
    _same([payloads.course_progress(o) for o in outlines], s.CourseProgressSerializer(outlines, many=True).data)
    assert {m["status"] for m in payloads.course_detail(outline)["modules"]} <= {
        "locked", "not started", "in progress", "completed",
    }  # fmt: skip
