"""The reminders API: reminder preferences and notifications."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import path
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services, timing
from .forms import parse_local_time, validate_iana_zone
from .models import ReminderPreference

# ---------------------------------------------------------------- serializers

# A local time of day: the zone is the time_zone field, so no offset (not OpenAPI's `format: time`).
LOCAL_TIME_OUT = {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$", "example": "18:30:00"}
LOCAL_TIME_IN = {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$", "example": "18:30"}


@extend_schema_field(LOCAL_TIME_OUT)
class LocalTimeOutField(serializers.TimeField):
    pass


@extend_schema_field(LOCAL_TIME_IN)
class LocalTimeInField(serializers.CharField):
    pass


@extend_schema_field(
    {**LOCAL_TIME_IN, "pattern": r"^(([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?)?$", "nullable": True}
)
class OptionalLocalTimeInField(serializers.CharField):
    pass


# Every zone name the validator accepts, so a client can tell a valid one from the schema.
@extend_schema_field({"type": "string", "enum": sorted(timing.accepted_zone_names()), "example": "Europe/London"})
class ZoneInField(serializers.CharField):
    pass


class PreferenceSerializer(serializers.ModelSerializer):
    subscribed = serializers.SerializerMethodField()
    reminder_time = LocalTimeOutField()
    quiet_start = LocalTimeOutField(allow_null=True)
    quiet_end = LocalTimeOutField(allow_null=True)

    class Meta:
        model = ReminderPreference
        fields = [
            "time_zone",
            "time_zone_chosen",
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
        # Chosen once the trainee sets a zone (page or API); until then logins follow the device's zone.
        read_only_fields = ["time_zone_chosen"]

    def get_subscribed(self, pref) -> bool:
        return pref.unsubscribed_at is None


class PreferenceInputSerializer(serializers.Serializer):
    """Any subset of the fields, checked by the rules the page's PreferenceForm uses."""

    time_zone = ZoneInField(max_length=64, required=False, validators=[validate_iana_zone])
    reminder_time = LocalTimeInField(max_length=32, required=False)
    quiet_start = OptionalLocalTimeInField(max_length=32, required=False, allow_null=True, allow_blank=True)
    quiet_end = OptionalLocalTimeInField(max_length=32, required=False, allow_null=True, allow_blank=True)
    email_enabled = serializers.BooleanField(required=False)
    in_app_enabled = serializers.BooleanField(required=False)
    frequency = serializers.ChoiceField(choices=[key for key, _ in ReminderPreference.FREQUENCIES], required=False)
    paused_until = serializers.DateField(required=False, allow_null=True)
    subscribed = serializers.BooleanField(required=False)

    def validate_reminder_time(self, value):
        parsed = parse_local_time(value)
        if parsed is None:
            raise serializers.ValidationError(gettext("is required."))
        return parsed

    def validate_quiet_start(self, value):
        return parse_local_time(value)

    def validate_quiet_end(self, value):
        return parse_local_time(value)


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    link = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class NotificationPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="All my notifications.")
    next = serializers.URLField(allow_null=True, help_text="The next page, or null.")
    previous = serializers.URLField(allow_null=True, help_text="The previous page, or null.")
    results = NotificationSerializer(many=True, help_text="This page, newest first.")
    unread_count = serializers.IntegerField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were marked now.")
    unread_count = serializers.IntegerField()


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
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "page", {"type": "integer", "minimum": 1}, description="Page of 50 (default 1); past the last is a 404."
            )
        ],
        responses={200: NotificationPageSerializer, 404: OpenApiResponse(description="No such page.")},
        summary="My notifications, newest first, a page at a time",
    )
    def get(self, request):
        paginator = NotificationPagination()
        page = paginator.paginate_queryset(selectors.notifications_of(request.user), request, view=self)
        return paginator.get_paginated_response(NotificationSerializer(page, many=True).data)


class NotificationReadView(APIView):
    @extend_schema(
        request=MarkReadSerializer,
        responses=MarkedSerializer,
        summary="Mark notifications as read",
    )
    def post(self, request):
        data = _valid(MarkReadSerializer, request.data)
        marked = services.notifications_mark_read(request.user, data.get("ids"))
        return Response({"marked": marked, "unread_count": selectors.unread_count(request.user)})


urlpatterns = [
    path("reminder-preferences/", PreferenceView.as_view(), name="api-reminder-preferences"),
    path("notifications/", NotificationListView.as_view(), name="api-notifications"),
    path("notifications/read/", NotificationReadView.as_view(), name="api-notifications-read"),
]
