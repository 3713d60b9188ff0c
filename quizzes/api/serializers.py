from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import selectors, validators
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
    state = serializers.DictField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text="A relationship-state session's state now (null for other items and in an exam quiz).",
    )


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


class StateChangeSerializer(serializers.Serializer):
    variable = serializers.CharField()
    change = serializers.IntegerField()


class EndingSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["good", "mixed", "poor"])
    debrief = serializers.CharField()


class SessionMoveSerializer(serializers.Serializer):
    """A relationship-state session after one reply (state changes omitted in an exam quiz)."""

    state = serializers.DictField(child=serializers.IntegerField(), allow_null=True)
    changes = StateChangeSerializer(many=True, allow_null=True)
    ending = EndingSerializer(allow_null=True)


class SessionSummarySerializer(serializers.Serializer):
    item = serializers.CharField(source="item.slug")
    ending = EndingSerializer()
    score = serializers.FloatField()
    trajectory = serializers.DictField(
        source="series",
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="Each state variable's value at the start and after each reply.",
    )


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
    session = serializers.SerializerMethodField(help_text="For a relationship-state session: what this reply changed.")

    def get_client_reply(self, outcome) -> str | None:
        return outcome.next_step["client_reply"] if outcome.next_step else None

    @extend_schema_field(SessionMoveSerializer(allow_null=True))
    def get_session(self, outcome) -> dict | None:
        return _session_move(outcome)


def _session_move(outcome) -> dict | None:
    move = selectors.session_move(outcome.item, outcome.answer.step_path, outcome.answer.option_id)
    if move is None:
        return None
    show = outcome.attempt.quiz.show_state
    after = outcome.next_step.get("state") if outcome.next_step else None
    return {
        "state": after if show else None,
        "changes": [{"variable": name, "change": delta} for name, delta in move.changes] if show else None,
        "ending": move.ending,
    }


def _feedback(option: dict) -> dict:
    return {"id": str(option["id"]), "text": str(option["text"]), "grade": int(option["grade"]),
            "rationale": str(option["rationale"])}  # fmt: skip


def answer_outcome_data(outcome) -> dict:
    """AnswerOutcomeSerializer(outcome).data as a plain dict, for the answer POST, which every step
    of every attempt goes through: the serializer documents the shape (and a test keeps the two
    equal), this builds it without a serializer's per-field machinery on each request."""
    return {
        "answer": outcome.answer.pk,
        "item": outcome.item.slug,
        "step": outcome.answer.step_path,
        "chosen": _feedback(outcome.chosen),
        "best": _feedback(outcome.best),
        "harmful": outcome.harmful,
        "client_reply": outcome.next_step["client_reply"] if outcome.next_step else None,
        "attempt_status": outcome.attempt.status,
        "repeated": outcome.repeated,
        "session": _session_move(outcome),
    }


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
    sessions = SessionSummarySerializer(many=True, help_text="Each relationship-state session finished.")
