"""The review API: due reviews and answering them, mastery, reminder preferences, notifications."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import services as quiz_services
from ..api.views import ConflictError
from ..models import ReminderPreference
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
    card = serializers.IntegerField()
    key = serializers.CharField(max_length=100)
    option = serializers.CharField(max_length=8)
    confidence = serializers.IntegerField(min_value=1, max_value=4)
    seconds = serializers.FloatField(min_value=0, max_value=86400, required=False, allow_null=True)
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
    ready_to_practise = serializers.BooleanField(source="mastery.ready")
    label = serializers.CharField(source="mastery.label")
    best_isomorphs = serializers.IntegerField(source="mastery.best_isomorphs")
    session_span_days = serializers.IntegerField(source="mastery.session_span_days")
    harmful_in_recent = serializers.IntegerField(source="mastery.harmful_in_recent")


class PreferenceSerializer(serializers.ModelSerializer):
    subscribed = serializers.SerializerMethodField()

    class Meta:
        model = ReminderPreference
        fields = [
            "time_zone",
            "reminder_time",
            "quiet_start",
            "quiet_end",
            "email_enabled",
            "in_app_enabled",
            "frequency",
            "paused_until",
            "subscribed",
            "next_reminder_at",
        ]

    def get_subscribed(self, pref) -> bool:
        return pref.unsubscribed_at is None


class PreferenceInputSerializer(serializers.Serializer):
    """Any subset of the fields; values are checked by the service, which names the field."""

    time_zone = serializers.CharField(max_length=64, required=False)
    reminder_time = serializers.CharField(max_length=8, required=False)
    quiet_start = serializers.CharField(max_length=8, required=False, allow_null=True, allow_blank=True)
    quiet_end = serializers.CharField(max_length=8, required=False, allow_null=True, allow_blank=True)
    email_enabled = serializers.BooleanField(required=False)
    in_app_enabled = serializers.BooleanField(required=False)
    frequency = serializers.ChoiceField(choices=["daily", "weekly", "off"], required=False)
    paused_until = serializers.DateField(required=False, allow_null=True)
    subscribed = serializers.BooleanField(required=False)


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    link = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),  # beyond a bigint the UPDATE would crash
        required=False,
        allow_null=True,
        max_length=500,
        help_text="Omit to mark all as read.",
    )


# ---------------------------------------------------------------- views


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ReviewsView(APIView):
    @extend_schema(responses=ReviewsSerializer, summary="How many reviews are due, and the next one")
    def get(self, request):
        counts = selectors.due_count_by_kind(request.user)
        return Response(
            ReviewsSerializer(
                {
                    "due": sum(counts.values()),
                    "due_skills": counts["skill"],
                    "due_facts": counts["fact"],
                    "next": selectors.next_review(request.user),
                }
            ).data
        )

    @extend_schema(
        request=ReviewInputSerializer,
        responses={200: ReviewOutcomeSerializer, 409: OpenApiResponse(description="The card moved on meanwhile.")},
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


class MasteryView(APIView):
    @extend_schema(responses=MasterySerializer(many=True), summary="Each skill: ready to practise or not yet")
    def get(self, request):
        return Response(MasterySerializer(selectors.mastery_by_skill(request.user), many=True).data)


class PreferenceView(APIView):
    @extend_schema(responses=PreferenceSerializer, summary="My reminder preferences")
    def get(self, request):
        return Response(PreferenceSerializer(services.preference_ensure(request.user.pk)).data)

    @extend_schema(request=PreferenceInputSerializer, responses=PreferenceSerializer, summary="Change them")
    def patch(self, request):
        data = _valid(PreferenceInputSerializer, request.data)
        try:
            pref = services.preference_update(request.user, dict(data))
        except ValidationError as exc:
            raise DRFValidationError(exc.message_dict)
        return Response(PreferenceSerializer(pref).data)

    put = patch


class NotificationPagination(PageNumberPagination):
    page_size = 50

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["unread_count"] = selectors.unread_count(self.request.user)
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["unread_count"] = {"type": "integer"}
        return schema


class NotificationListView(APIView):
    @extend_schema(responses=NotificationSerializer(many=True), summary="My notifications, newest first")
    def get(self, request):
        paginator = NotificationPagination()
        page = paginator.paginate_queryset(selectors.notifications_of(request.user), request, view=self)
        return paginator.get_paginated_response(NotificationSerializer(page, many=True).data)


class NotificationReadView(APIView):
    @extend_schema(
        request=MarkReadSerializer,
        responses={200: OpenApiResponse(description='{"marked": n, "unread_count": m}')},
        summary="Mark notifications as read",
    )
    def post(self, request):
        data = _valid(MarkReadSerializer, request.data)
        marked = services.notifications_mark_read(request.user, data.get("ids"))
        return Response({"marked": marked, "unread_count": selectors.unread_count(request.user)})


urlpatterns = [
    path("reviews/", ReviewsView.as_view(), name="api-reviews"),
    path("reviews/mastery/", MasteryView.as_view(), name="api-review-mastery"),
    path("reminder-preferences/", PreferenceView.as_view(), name="api-reminder-preferences"),
    path("notifications/", NotificationListView.as_view(), name="api-notifications"),
    path("notifications/read/", NotificationReadView.as_view(), name="api-notifications-read"),
]
