"""The quizzes API: thin views that map service errors to 400 (naming the field) and 409."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from . import payloads
from . import serializers as s

CONFLICT = OpenApiResponse(description="The request does not fit the attempt's state.")


class ConflictError(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def call(service, *args, **kwargs):
    try:
        return service(*args, **kwargs)
    except ValidationError as exc:
        raise DRFValidationError(exc.message_dict)
    except services.Conflict as exc:
        raise ConflictError(str(exc))
    except services.AttemptNotFound as exc:
        raise Http404(str(exc))


def valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# What a service may have moved on an attempt; refreshing only these keeps its quiz and module.
ATTEMPT_STATE = ("status", "position", "step_path", "score", "passed", "completed_at")


def attempt_payload(attempt, refresh: bool = True):
    if refresh:
        attempt.refresh_from_db(fields=ATTEMPT_STATE)
    attempt.current = selectors.current_step(attempt)
    return s.AttemptSerializer(attempt).data


class QuizListView(APIView):
    @extend_schema(responses=s.QuizSerializer(many=True), summary="Quizzes in my courses")
    def get(self, request):
        return Response(
            s.QuizSerializer(selectors.quizzes_visible_to(request.user).order_by("module__order"), many=True).data
        )


class AttemptStartView(APIView):
    @extend_schema(
        request=None,
        responses={200: s.AttemptSerializer, 201: s.AttemptSerializer, 409: CONFLICT},
        summary="Start an attempt, or resume the open one",
    )
    def post(self, request, quiz_id):
        quiz = get_object_or_404(selectors.quizzes_visible_to(request.user), pk=quiz_id)
        attempt, created = call(services.attempt_start, request.user, quiz)
        return Response(attempt_payload(attempt), status=201 if created else 200)


class AttemptDetailView(APIView):
    @extend_schema(responses=s.AttemptSerializer, summary="An attempt and its current step")
    def get(self, request, attempt_id):
        found = selectors.open_attempt_of(request.user, attempt_id)  # a locked module's step is a 403 like its lessons
        if found is None:
            raise Http404("No such attempt of yours.")
        attempt, _, course = found
        attempt.current = selectors.current_step(attempt, course)  # just read: nothing moved it
        return Response(payloads.attempt(attempt))


class ReplyView(APIView):
    @extend_schema(
        request=s.ReplyInputSerializer,
        responses={200: s.AttemptSerializer, 409: CONFLICT},
        summary="Write your own reply to a write-first item",
    )
    def post(self, request, attempt_id):
        attempt = get_object_or_404(selectors.attempts_of(request.user), pk=attempt_id)
        data = valid(s.ReplyInputSerializer, request.data)
        call(services.attempt_write_reply, attempt, data["item"], data["text"])
        return Response(attempt_payload(attempt))


class AnswerView(APIView):
    @extend_schema(
        request=s.AnswerInputSerializer,
        responses={200: s.AnswerOutcomeSerializer, 409: CONFLICT},
        summary="Answer the current step; the same answer sent again returns the stored result",
    )
    def post(self, request, attempt_id):
        data = valid(s.AnswerInputSerializer, request.data)
        outcome = call(
            services.own_attempt_answer,
            request.user,
            attempt_id,
            data["item"],
            data["step"],
            data["option"],
            data["confidence"],
            data.get("seconds"),
        )
        return Response(s.answer_outcome_data(outcome))  # the shape AnswerOutcomeSerializer documents


class ReflectionView(APIView):
    @extend_schema(
        request=s.ReflectionInputSerializer,
        responses={200: s.ReflectionSerializer, 409: CONFLICT},
        summary="Save the reflection that closes a finished attempt",
    )
    def put(self, request, attempt_id):
        attempt = get_object_or_404(selectors.attempts_of(request.user), pk=attempt_id)
        data = valid(s.ReflectionInputSerializer, request.data)
        reflection = call(services.reflection_save, attempt, data["text"], data["shared"])
        return Response(s.ReflectionSerializer(reflection).data)


class ResultView(APIView):
    @extend_schema(responses={200: s.ResultSerializer, 409: CONFLICT}, summary="The result of a finished attempt")
    def get(self, request, attempt_id):
        attempt = get_object_or_404(selectors.attempts_of(request.user), pk=attempt_id)
        if attempt.is_open:
            raise ConflictError("The attempt is not finished yet.")
        result = selectors.attempt_result(attempt)
        return Response(
            s.ResultSerializer(
                {
                    "attempt": attempt.pk,
                    "score": result.score,
                    "passed": result.passed,
                    "reasons": result.reasons,
                    "by_skill": {k: vars(v) | {"share": v.share} for k, v in result.by_skill.items()},
                    "by_dimension": {k: vars(v) for k, v in result.by_dimension.items()},
                    "sessions": selectors.session_summaries(attempt),
                }
            ).data
        )


class ReflectionDetailView(APIView):
    @extend_schema(
        responses=s.ReflectionSerializer,
        summary="Read a reflection (its author, or an instructor of the author once shared)",
    )
    def get(self, request, reflection_id):
        reflection = get_object_or_404(selectors.reflections_readable_by(request.user), pk=reflection_id)
        if reflection.author_id != request.user.pk:
            with transaction.atomic():
                services.reflection_access_record(reflection, request.user)
        return Response(s.ReflectionSerializer(reflection).data)
