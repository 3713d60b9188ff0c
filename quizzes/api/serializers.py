from rest_framework import serializers

from .. import validators
from ..models import TEXT_LIMITS


class QuizSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    course = serializers.CharField(source="module.course.slug")
    module = serializers.CharField(source="module.slug")
    title = serializers.CharField(source="module.title")
    pass_threshold = serializers.FloatField()
    harmful_fails = serializers.BooleanField()


class OptionSerializer(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField()


class ItemSerializer(serializers.Serializer):
    slug = serializers.CharField()
    version = serializers.IntegerField()
    skill = serializers.CharField()
    difficulty = serializers.CharField()
    content_note = serializers.CharField()
    write_first = serializers.BooleanField()
    vignette = serializers.CharField()


class CurrentStepSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(
        choices=["write", "choose", "done"], help_text="write: send your own reply first; choose: pick an option; done."
    )
    item = ItemSerializer(allow_null=True)
    item_number = serializers.IntegerField()
    item_count = serializers.IntegerField()
    step = serializers.CharField(source="step_path", help_text="The step's path; send it back with the answer.")
    client_line = serializers.CharField()
    options = OptionSerializer(many=True, allow_null=True, help_text="Shuffled for this attempt.")
    free_reply = serializers.CharField(allow_null=True)


class AttemptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    quiz = serializers.IntegerField(source="quiz_id")
    status = serializers.CharField()
    started_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    passed = serializers.BooleanField(allow_null=True)
    current = CurrentStepSerializer(help_text="What the attempt waits for now.")


class ReplyInputSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=100)
    text = validators.api_text_field(TEXT_LIMITS["free_reply"])


class AnswerInputSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=100)
    step = serializers.CharField(max_length=32, allow_blank=True, default="")
    option = serializers.CharField(max_length=8)
    confidence = validators.api_confidence_field()
    seconds = validators.api_seconds_field()


class ChoiceFeedbackSerializer(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField()
    grade = serializers.IntegerField()
    rationale = serializers.CharField()


class AnswerOutcomeSerializer(serializers.Serializer):
    answer = serializers.IntegerField(source="answer.pk")
    item = serializers.CharField(source="item.slug")
    step = serializers.CharField(source="answer.step_path")
    chosen = ChoiceFeedbackSerializer()
    best = ChoiceFeedbackSerializer()
    harmful = serializers.BooleanField()
    client_reply = serializers.SerializerMethodField(help_text="The client's next line when the pick leads on.")
    attempt_status = serializers.CharField(source="attempt.status")
    repeated = serializers.BooleanField(help_text="True when this answer had already been stored.")

    def get_client_reply(self, outcome) -> str | None:
        return outcome.next_step["client_reply"] if outcome.next_step else None


class ReflectionInputSerializer(serializers.Serializer):
    text = validators.api_text_field(TEXT_LIMITS["reflection"])
    shared = serializers.BooleanField()


class ReflectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    attempt = serializers.IntegerField(source="attempt_id")
    author = serializers.CharField(source="author.get_username")
    text = serializers.CharField()
    shared = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    rubric_scores = serializers.JSONField(allow_null=True)
    instructor_comment = serializers.CharField()


class TallySerializer(serializers.Serializer):
    earned = serializers.IntegerField()
    possible = serializers.IntegerField()
    share = serializers.FloatField()
    harmful = serializers.IntegerField()


class DimensionSerializer(serializers.Serializer):
    shown = serializers.IntegerField()
    broken = serializers.IntegerField()


class ResultSerializer(serializers.Serializer):
    attempt = serializers.IntegerField()
    score = serializers.FloatField()
    passed = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    by_skill = serializers.DictField(child=TallySerializer())
    by_dimension = serializers.DictField(child=DimensionSerializer())
