"""The review API: due reviews and answering them, and mastery."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import services as quiz_services
from .. import validators
from ..api.views import ConflictError
from . import selectors, services

# ---------------------------------------------------------------- serializers


class ReviewOptionSerializer(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField()


class PromptSerializer(serializers.Serializer):
    card = serializers.IntegerField(source="card.pk")
    kind = serializers.ChoiceField(choices=["skill", "fact"])
    key = serializers.CharField(help_text="The item's or fact's slug: send it back with the answer.")
    skill = serializers.CharField(source="card.skill")
    vignette = serializers.CharField(source="item.vignette", allow_null=True, default=None)
    content_note = serializers.CharField(source="item.content_note", allow_null=True, default=None)
    prompt = serializers.CharField(source="client_line", help_text="The client's line, or the fact's question.")
    options = ReviewOptionSerializer(many=True)


class ReviewsSerializer(serializers.Serializer):
    due = serializers.IntegerField()
    due_skills = serializers.IntegerField()
    due_facts = serializers.IntegerField()
    next = PromptSerializer(allow_null=True)


class ReviewInputSerializer(serializers.Serializer):
    card = serializers.IntegerField(min_value=1, max_value=2**63 - 1)  # beyond a bigint the query would crash
    key = serializers.CharField(max_length=100)
    option = serializers.CharField(max_length=8)
    confidence = validators.api_confidence_field()
    seconds = validators.api_seconds_field()
    review_id = serializers.UUIDField(help_text="Made by the client, new for each review: a resend counts once.")
    reviewed_at = serializers.DateTimeField(required=False, help_text="When it was answered (default: now).")


class ReviewFeedbackOptionSerializer(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField()
    grade = serializers.IntegerField()
    rationale = serializers.CharField(allow_blank=True)


class ReviewOutcomeSerializer(serializers.Serializer):
    review_id = serializers.UUIDField(source="log.client_id")
    card = serializers.IntegerField(source="card.pk")
    chosen = ReviewFeedbackOptionSerializer()
    best = ReviewFeedbackOptionSerializer()
    explanation = serializers.CharField(allow_blank=True)
    rating = serializers.CharField()
    harmful = serializers.BooleanField()
    next_due = serializers.DateTimeField(source="card.due")
    repeated = serializers.BooleanField(help_text="True when this review_id had already been stored.")


class MasterySerializer(serializers.Serializer):
    skill = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=["beginner", "intermediate", "advanced"], help_text="Practice level.")
    ready_to_practise = serializers.BooleanField(source="mastery.ready")
    label = serializers.CharField(source="mastery.label")
    best_isomorphs = serializers.IntegerField(source="mastery.best_isomorphs")
    session_span_days = serializers.IntegerField(source="mastery.session_span_days")
    harmful_in_recent = serializers.IntegerField(source="mastery.harmful_in_recent")


# ---------------------------------------------------------------- views


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ReviewsView(APIView):
    @extend_schema(responses=ReviewsSerializer, summary="How many reviews are due, and the next one")
    def get(self, request):
        counts, prompt = selectors.due_reviews(request.user)
        return Response(
            ReviewsSerializer(
                {
                    "due": sum(counts.values()),
                    "due_skills": counts["skill"],
                    "due_facts": counts["fact"],
                    "next": prompt,
                }
            ).data
        )

    @extend_schema(
        request=ReviewInputSerializer,
        responses={
            200: ReviewOutcomeSerializer,
            404: OpenApiResponse(description="No such review card among yours."),
            409: OpenApiResponse(description="The card moved on meanwhile."),
        },
        summary="Answer a review; the same review_id sent again returns the stored result",
    )
    def post(self, request):
        data = _valid(ReviewInputSerializer, request.data)
        try:
            outcome = services.review_submit(
                request.user,
                data["card"],
                data["key"],
                data["option"],
                data["confidence"],
                data.get("seconds"),
                data["review_id"],
                data.get("reviewed_at"),
            )
        except services.CardNotFound:
            raise NotFound("No such review card.")
        except ValidationError as exc:
            raise DRFValidationError(exc.message_dict)
        except quiz_services.Conflict as exc:
            raise ConflictError(str(exc))
        return Response(ReviewOutcomeSerializer(outcome).data)


class UndoInputSerializer(serializers.Serializer):
    review_id = serializers.UUIDField(help_text="The review_id of your latest review.")


class UndoneSerializer(serializers.Serializer):
    card = serializers.IntegerField(source="pk")
    next_due = serializers.DateTimeField(source="due", help_text="Due as before the review (often now).")
    reps = serializers.IntegerField()


class UndoView(APIView):
    @extend_schema(
        request=UndoInputSerializer,
        responses={
            200: UndoneSerializer,
            409: OpenApiResponse(description="Not your latest review, already undone, or the card moved since."),
        },
        summary="Undo your latest review: the card's FSRS state goes back exactly to what it was",
    )
    def post(self, request):
        data = _valid(UndoInputSerializer, request.data)
        try:
            card = services.review_undo(request.user, data["review_id"])
        except services.NothingToUndo as exc:
            raise ConflictError(str(exc))
        return Response(UndoneSerializer(card).data)


class MasteryView(APIView):
    @extend_schema(responses=MasterySerializer(many=True), summary="Each skill: ready to practise or not yet")
    def get(self, request):
        return Response(MasterySerializer(selectors.mastery_by_skill(request.user), many=True).data)


class ReactionInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="An item you have answered.")
    reaction = serializers.ChoiceField(choices=["too_easy", "about_right", "too_hard"])


class LevelSerializer(serializers.Serializer):
    skill = serializers.CharField()
    level = serializers.ChoiceField(choices=["beginner", "intermediate", "advanced"])


class ReactionView(APIView):
    @extend_schema(
        request=ReactionInputSerializer,
        responses={200: LevelSerializer, 400: OpenApiResponse(description="A field is invalid."), 404: None},
        summary="How hard an item felt: moves your practice level in its skill",
    )
    def post(self, request):
        data = _valid(ReactionInputSerializer, request.data)
        item = selectors.items_answered_by(request.user).filter(pk=data["item"]).first()
        if item is None:
            raise NotFound("No such item among those you have answered.")
        row = services.level_react(request.user, item, data["reaction"])
        return Response(LevelSerializer(row).data)


urlpatterns = [
    path("reviews/", ReviewsView.as_view(), name="api-reviews"),
    path("reviews/undo/", UndoView.as_view(), name="api-review-undo"),
    path("reviews/mastery/", MasteryView.as_view(), name="api-review-mastery"),
    path("reviews/reactions/", ReactionView.as_view(), name="api-review-reactions"),
]
