from rest_framework import serializers


class PrerequisiteSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()


class LessonSummarySerializer(serializers.Serializer):
    slug = serializers.CharField(source="lesson.slug")
    title = serializers.CharField(source="lesson.title")
    order = serializers.IntegerField(source="lesson.order")
    estimated_minutes = serializers.IntegerField(source="lesson.estimated_minutes")
    completed = serializers.BooleanField()


class ModuleSerializer(serializers.Serializer):
    slug = serializers.CharField(source="module.slug")
    title = serializers.CharField(source="module.title")
    order = serializers.IntegerField(source="module.order")
    summary = serializers.CharField(source="module.summary")
    status = serializers.ChoiceField(choices=["locked", "not started", "in progress", "completed"])
    locked = serializers.BooleanField()
    locked_by = PrerequisiteSerializer(many=True, help_text="Prerequisites still to complete before this module opens.")
    quiz_required = serializers.BooleanField(source="module.quiz_required")
    quiz_passed = serializers.BooleanField()
    best_score = serializers.FloatField(allow_null=True)
    lessons_done = serializers.IntegerField()
    lessons = LessonSummarySerializer(many=True)


class CourseSummarySerializer(serializers.Serializer):
    slug = serializers.CharField(source="course.slug")
    title = serializers.CharField(source="course.title")
    summary = serializers.CharField(source="course.summary")
    total_lessons = serializers.IntegerField()
    completed_lessons = serializers.IntegerField()
    percent = serializers.IntegerField()
    continue_lesson = serializers.CharField(source="continue_lesson.slug", allow_null=True, default=None)


class CourseDetailSerializer(CourseSummarySerializer):
    modules = ModuleSerializer(many=True)


class ModuleProgressSerializer(serializers.Serializer):
    slug = serializers.CharField(source="module.slug")
    status = serializers.CharField()
    lessons_done = serializers.IntegerField()
    lessons_total = serializers.SerializerMethodField()
    quiz_passed = serializers.BooleanField()
    best_score = serializers.FloatField(allow_null=True)

    def get_lessons_total(self, state) -> int:
        return len(state.lessons)


class CourseProgressSerializer(serializers.Serializer):
    course = serializers.CharField(source="course.slug")
    total_lessons = serializers.IntegerField()
    completed_lessons = serializers.IntegerField()
    percent = serializers.IntegerField()
    modules = ModuleProgressSerializer(many=True)


class LessonDetailSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    module = serializers.CharField(source="module.slug")
    order = serializers.IntegerField()
    estimated_minutes = serializers.IntegerField()
    objectives = serializers.ListField(child=serializers.CharField())
    key_terms = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
    references = serializers.SerializerMethodField()
    body_html = serializers.CharField(help_text="Rendered and sanitised lesson text.")
    completed = serializers.BooleanField()
    previous = serializers.CharField(allow_null=True)
    next = serializers.CharField(allow_null=True)

    def get_references(self, lesson) -> list[str]:
        return [ref["apa"] for ref in lesson.module.references if ref["key"] in lesson.references]


class LessonCompletionSerializer(serializers.Serializer):
    lesson = serializers.CharField()
    completed_at = serializers.DateTimeField()
    course_percent = serializers.IntegerField()
