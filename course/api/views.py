import copy

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from . import payloads
from . import serializers as s
from .tokens import api_token_for


def visible_outline(user, course_slug: str) -> selectors.CourseOutline:
    outline = selectors.visible_outline(user, course_slug)
    if outline is None:
        raise Http404("No such course among yours.")
    return outline


def open_lesson_state(outline, lesson_slug: str):
    """The lesson's module and lesson state; 404 if unknown, 403 naming the prerequisites if locked."""
    found = outline.lesson(lesson_slug)
    if found is None:
        raise Http404("No such lesson in this course.")
    module_state, _ = found
    if module_state.locked:
        raise PermissionDenied(selectors.module_lock_message(module_state))
    return found


class TokenView(ObtainAuthToken):
    """Your API token for a username and password. It lasts ATTUNE_API_TOKEN_TTL_HOURS from when it was
    issued and dies when your password changes; after that, this issues a new one."""

    # DRF's endpoint, except that an expired token is replaced rather than handed back.
    error_codes = ("429",)  # the login lockout (django-axes, course/lockout.py) answers 429 here

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response({"token": api_token_for(serializer.validated_data["user"]).key})


class CourseListView(APIView):
    @extend_schema(responses=s.CourseSummarySerializer(many=True), summary="My courses")
    def get(self, request):
        return Response([payloads.course_summary(o) for o in selectors.my_courses(request.user)])


class CourseDetailView(APIView):
    @extend_schema(responses=s.CourseDetailSerializer, summary="A course with its modules and my progress")
    def get(self, request, course):
        return Response(payloads.course_detail(visible_outline(request.user, course)))


class ModuleListView(APIView):
    @extend_schema(responses=s.ModuleSerializer(many=True), summary="A course's modules, with locks and progress")
    def get(self, request, course):
        return Response([payloads.module(m) for m in visible_outline(request.user, course).modules])


class ModuleDetailView(APIView):
    @extend_schema(responses=s.ModuleSerializer, summary="One module, with its lessons")
    def get(self, request, course, module):
        state = visible_outline(request.user, course).module(module)
        if state is None:
            raise Http404("No such module in this course.")
        return Response(payloads.module(state))


class LessonDetailView(APIView):
    @extend_schema(responses=s.LessonDetailSerializer, summary="A lesson's text (403 while its module is locked)")
    def get(self, request, course, lesson):
        outline = visible_outline(request.user, course)
        module_state, lesson_state = open_lesson_state(outline, lesson)
        services.lesson_open(request.user, lesson_state.lesson)
        previous, following = outline.lesson_neighbours(lesson_state.lesson)
        item = copy.copy(lesson_state.lesson)  # the cached structure's lesson is shared: never mutate it
        item.body_html = selectors.lesson_body(outline.course, item)
        item.completed = lesson_state.completed
        item.previous = previous.slug if previous else None
        item.next = following.slug if following else None
        return Response(s.LessonDetailSerializer(item).data)


class LessonCompleteView(APIView):
    @extend_schema(request=None, responses=s.LessonCompletionSerializer, summary="Mark a lesson complete (idempotent)")
    def post(self, request, course, lesson):
        outline = visible_outline(request.user, course)
        _, lesson_state = open_lesson_state(outline, lesson)
        progress = services.lesson_complete(request.user, lesson_state.lesson)
        done = outline.completed_lessons + (0 if lesson_state.completed else 1)
        total = outline.total_lessons
        return Response(
            s.LessonCompletionSerializer(
                {
                    "lesson": lesson,
                    "completed_at": progress.completed_at,
                    "course_percent": round(100 * done / total) if total else 0,
                }
            ).data
        )


class ProgressView(APIView):
    @extend_schema(responses=s.CourseProgressSerializer(many=True), summary="My progress in every course")
    def get(self, request):
        return Response([payloads.course_progress(o) for o in selectors.my_courses(request.user)])
