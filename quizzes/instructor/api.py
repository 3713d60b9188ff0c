"""The instructors' API under /api/v1/instructor/: the pages' data as JSON, in the OpenAPI schema.

Same scoping as the pages: 403 for anyone who teaches nothing, 404 for a cohort, trainee or
reflection outside the cohorts the instructor teaches.
"""

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from ..api.views import ConflictError
from ..review.levels import LEVELS
from ..services import Conflict
from ..validators import api_text_field
from . import rules, selectors, services
from .forms import DashboardQueryForm, rubric_scores


class IsInstructor(BasePermission):
    message = "These endpoints are for instructors."

    def has_permission(self, request, view):
        return selectors.is_instructor(request.user)


class InstructorView(APIView):
    permission_classes = [IsInstructor]


# ---------------------------------------------------------------- serializers


class CohortSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    course = serializers.CharField(source="course.slug")
    course_title = serializers.CharField(source="course.title")
    start_date = serializers.DateField()
    trainees = serializers.IntegerField(source="trainee_count")


class CohortListItemSerializer(CohortSerializer):
    reflections_waiting = serializers.IntegerField(help_text="Shared reflections waiting for a score.")


class InstructorModuleSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    quiz_required = serializers.BooleanField()
    lessons = serializers.IntegerField(source="lessons_total")


class ModuleCellSerializer(serializers.Serializer):
    module = serializers.CharField()
    status = serializers.ChoiceField(choices=rules.STATUSES)
    score = serializers.FloatField(allow_null=True, help_text="Best quiz score, 0-1.")
    lessons_done = serializers.IntegerField()
    lessons_total = serializers.IntegerField()
    attempts = serializers.IntegerField()


class SkillCellSerializer(serializers.Serializer):
    skill = serializers.CharField()
    share = serializers.FloatField(allow_null=True, help_text="Grade earned as a share of the best, 0-1.")
    harmful = serializers.IntegerField()
    ready_to_practise = serializers.BooleanField(
        source="ready", help_text="CONTENT.md's mastery rule: ready to practise, not clinical competence."
    )


class TraineeRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user.pk")
    username = serializers.CharField(source="user.get_username")
    name = serializers.CharField()
    last_activity = serializers.DateTimeField(allow_null=True)
    overdue_reviews = serializers.IntegerField()
    at_risk = serializers.BooleanField()
    risk = serializers.ListField(child=serializers.CharField())
    modules_done = serializers.IntegerField()
    modules = ModuleCellSerializer(many=True)
    skills = SkillCellSerializer(many=True)
    levels = serializers.DictField(
        child=serializers.ChoiceField(choices=LEVELS),
        help_text="Practice level per skill key, for the skills the trainee has practised.",
    )


class ThresholdsSerializer(serializers.Serializer):
    inactive_days = serializers.IntegerField()
    overdue_reviews = serializers.IntegerField()
    harmful_picks = serializers.IntegerField()


class SkillSummarySerializer(serializers.Serializer):
    skill = serializers.CharField()
    label = serializers.CharField()
    mean_share = serializers.FloatField(allow_null=True)
    ready = serializers.IntegerField()
    answered = serializers.IntegerField()
    levels = serializers.DictField(
        child=serializers.IntegerField(), help_text="Trainees at each practice level: beginner, intermediate, advanced."
    )


class DashboardSerializer(serializers.Serializer):
    cohort = CohortSerializer()
    modules = InstructorModuleSerializer(many=True)
    skills = serializers.ListField(child=serializers.CharField())
    thresholds = ThresholdsSerializer()
    total_trainees = serializers.IntegerField()
    at_risk_count = serializers.IntegerField()
    skill_summary = SkillSummarySerializer(many=True)
    page = serializers.IntegerField(help_text="This page's number.")
    pages = serializers.IntegerField(help_text=f"Pages of {rules.PAGE_SIZE} trainees after the filters.")
    trainees = TraineeRowSerializer(many=True, help_text="This page's trainees, filtered and sorted.")


class OptionRefSerializer(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField()
    grade = serializers.IntegerField()


class StepLineSerializer(serializers.Serializer):
    item = serializers.CharField(source="item.slug")
    skill = serializers.CharField(source="item.skill")
    step = serializers.CharField(source="step_path", help_text='"" is the first step; "d" the branch after d.')
    client_line = serializers.CharField()
    free_reply = serializers.CharField(allow_null=True)
    chosen = OptionRefSerializer(allow_null=True)
    best = OptionRefSerializer(allow_null=True)
    grade = serializers.IntegerField()
    confidence = serializers.IntegerField(allow_null=True)


class AttemptViewSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="attempt.pk")
    quiz = serializers.IntegerField(source="attempt.quiz_id")
    module = serializers.CharField(source="attempt.quiz.module.slug")
    status = serializers.CharField(source="attempt.status")
    started_at = serializers.DateTimeField(source="attempt.started_at")
    completed_at = serializers.DateTimeField(source="attempt.completed_at", allow_null=True)
    score = serializers.FloatField(source="attempt.score", allow_null=True)
    passed = serializers.BooleanField(source="attempt.passed", allow_null=True)
    reflection = serializers.IntegerField(source="reflection.pk", allow_null=True, default=None)
    steps = StepLineSerializer(source="lines", many=True)


class ReflectionSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    attempt = serializers.IntegerField(source="attempt_id")
    module = serializers.CharField(source="attempt.quiz.module.slug")
    created_at = serializers.DateTimeField()
    scored_at = serializers.DateTimeField(allow_null=True)
    rubric_scores = serializers.DictField(child=serializers.IntegerField(), allow_null=True)


class ReviewLogSerializer(serializers.Serializer):
    reviewed_at = serializers.DateTimeField()
    kind = serializers.CharField(source="card.kind")
    skill = serializers.CharField(source="card.skill")
    fact = serializers.CharField(source="card.fact.slug", allow_null=True, default=None)
    item = serializers.CharField(source="item.slug", allow_null=True, default=None)
    grade = serializers.IntegerField()
    rating = serializers.IntegerField(help_text="1 again, 2 hard, 3 good, 4 easy.")
    due_after = serializers.DateTimeField()


class WeakSkillSerializer(serializers.Serializer):
    name = serializers.CharField()
    share = serializers.FloatField(allow_null=True)
    harmful = serializers.IntegerField()


class TraineeSummarySerializer(serializers.Serializer):
    modules_done = serializers.IntegerField()
    modules_total = serializers.IntegerField()
    quizzes_passed = serializers.IntegerField()
    quizzes_total = serializers.IntegerField()
    reviews_due = serializers.IntegerField(help_text="Review cards due now.")
    reviews_overdue = serializers.IntegerField(source="row.overdue_reviews")
    last_activity = serializers.DateTimeField(source="row.last_activity", allow_null=True)
    risk = serializers.ListField(source="row.risk", child=serializers.CharField())
    weak_skills = WeakSkillSerializer(many=True, help_text="Below half marks or with a harmful pick, worst first.")


class ReflectionQueueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.IntegerField(source="author_id")
    author_name = serializers.SerializerMethodField()
    module = serializers.CharField(source="attempt.quiz.module.slug")
    created_at = serializers.DateTimeField()
    scored_at = serializers.DateTimeField(allow_null=True)

    def get_author_name(self, reflection) -> str:
        return selectors.display_name(reflection.author)


class TraineeDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="trainee.pk")
    username = serializers.CharField(source="trainee.get_username")
    name = serializers.CharField()
    attempts = AttemptViewSerializer(many=True)
    reflections = ReflectionSummarySerializer(many=True, help_text="Shared reflections; open one to read it.")
    review_history = ReviewLogSerializer(many=True, help_text="Latest spaced reviews, newest first.")
    summary = TraineeSummarySerializer()


class InstructorReflectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.IntegerField(source="author_id")
    attempt = serializers.IntegerField(source="attempt_id")
    module = serializers.CharField(source="attempt.quiz.module.slug")
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    rubric = serializers.ListField(child=serializers.CharField(), source="attempt.quiz.reflection_rubric")
    rubric_scores = serializers.DictField(child=serializers.IntegerField(), allow_null=True)
    instructor_comment = serializers.CharField()
    scored_at = serializers.DateTimeField(allow_null=True)


class ReflectionScoreInputSerializer(serializers.Serializer):
    rubric_scores = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=2),
        help_text="Every criterion of the quiz's rubric mapped to 0, 1 or 2.",
    )
    comment = api_text_field(services.COMMENT_LIMIT, allow_blank=True, default="")

    def validate_rubric_scores(self, value):
        rubric = self.context["rubric"]
        return rubric_scores(rubric, value) if rubric else {}


class QuizSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="quiz.pk")
    module = serializers.CharField(source="quiz.module.slug")
    title = serializers.CharField(source="quiz.module.title")
    attempts = serializers.IntegerField()
    trainees = serializers.IntegerField()
    mean_score = serializers.FloatField(allow_null=True)
    pass_rate = serializers.FloatField(allow_null=True)


class OptionStatSerializer(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField()
    grade = serializers.IntegerField(allow_null=True)
    harmful = serializers.BooleanField()
    best = serializers.BooleanField()
    count = serializers.IntegerField()
    share = serializers.FloatField()
    upper_count = serializers.IntegerField(help_text="Picks in the top 27% of attempts.")
    lower_count = serializers.IntegerField(help_text="Picks in the bottom 27% of attempts.")


class StepStatSerializer(serializers.Serializer):
    path = serializers.CharField()
    client_line = serializers.CharField()
    answered = serializers.IntegerField()
    options = OptionStatSerializer(many=True)


class PathStatSerializer(serializers.Serializer):
    path = serializers.CharField()
    count = serializers.IntegerField()
    share = serializers.FloatField()


class ItemStatSerializer(serializers.Serializer):
    item = serializers.CharField()
    answered = serializers.IntegerField()
    facility = serializers.FloatField(allow_null=True, help_text="Mean grade of the first step / 3.")
    discrimination = serializers.FloatField(allow_null=True, help_text="Facility in top 27% minus bottom 27%.")
    best_pick_upper = serializers.FloatField(allow_null=True)
    harmful_picks = serializers.IntegerField()
    flags = serializers.ListField(child=serializers.CharField())
    steps = StepStatSerializer(many=True)
    paths = PathStatSerializer(many=True)


class ItemAnalysisSerializer(serializers.Serializer):
    quiz = serializers.IntegerField(source="quiz.pk")
    module = serializers.CharField(source="quiz.module.slug")
    attempts = serializers.IntegerField(source="stats.attempts")
    mean_score = serializers.FloatField(source="stats.mean_score", allow_null=True)
    pass_rate = serializers.FloatField(source="stats.pass_rate", allow_null=True)
    items = ItemStatSerializer(source="stats.items", many=True)


# ---------------------------------------------------------------- views

# The same names and rules as the page's filter form; "" (as a form's empty select sends) means no filter.
DASHBOARD_PARAMETERS = [
    OpenApiParameter(
        "q",
        {"type": "string", "maxLength": 100, "pattern": "^[^\\x00]*$"},
        description="Part of a trainee's name or username.",
    ),
    OpenApiParameter("risk", str, enum=list(rules.RISK_FILTERS)),
    OpenApiParameter("module", str, description="A module slug of the cohort's course (400 otherwise)."),
    OpenApiParameter(
        "status",
        str,
        enum=["", *rules.STATUSES, *rules.STATUS_ALIASES],
        description="A module's status: needs `module` (400 otherwise). `passed` is an old name for completed.",
    ),
    OpenApiParameter("sort", str, enum=["", *rules.SORTS, *(f"-{s}" for s in rules.SORTS)]),
    OpenApiParameter(
        "page",
        {"type": "integer", "minimum": 1, "maximum": 100_000},
        description=f"Page of {rules.PAGE_SIZE} trainees (default 1).",
    ),
]


class CohortListView(InstructorView):
    @extend_schema(responses=CohortListItemSerializer(many=True), summary="The cohorts I teach")
    def get(self, request):
        cohorts = list(selectors.cohorts_taught_by(request.user).annotate(trainee_count=Count("enrollments")))
        waiting = selectors.unscored_reflection_counts(request.user, cohorts)
        for cohort in cohorts:
            cohort.reflections_waiting = waiting.get(cohort.pk, 0)
        return Response(CohortListItemSerializer(cohorts, many=True).data)


class ReflectionQueueView(InstructorView):
    @extend_schema(
        responses=ReflectionQueueSerializer(many=True),
        summary="The cohort's shared reflections, unscored first and the oldest first (no text)",
    )
    def get(self, request, cohort_id):
        cohort = selectors.cohort_for(request.user, cohort_id)
        return Response(ReflectionQueueSerializer(selectors.reflection_queue(request.user, cohort), many=True).data)


def dashboard_payload(board, page: rules.Page) -> dict:
    cohort = board.cohort
    cohort.trainee_count = board.total_trainees
    return {
        "page": page.number,
        "pages": page.count,
        "cohort": cohort,
        "modules": board.modules,
        "skills": board.skills,
        "thresholds": vars(board.thresholds),
        "total_trainees": board.total_trainees,
        "at_risk_count": board.at_risk_count,
        "skill_summary": board.skill_summary,
        "trainees": [
            {
                "user": row.user,
                "name": row.name,
                "last_activity": row.last_activity,
                "overdue_reviews": row.overdue_reviews,
                "at_risk": row.at_risk,
                "risk": row.risk,
                "modules_done": row.modules_done,
                "modules": [vars(c) | {"module": m.slug} for m, c in zip(board.modules, row.cells, strict=True)],
                "skills": [
                    {"skill": s, "share": c.share, "harmful": c.harmful, "ready": c.ready}
                    for s, c in row.skills.items()
                ],
                "levels": row.levels,
            }
            for row in page.rows
        ],
    }


class DashboardView(InstructorView):
    @extend_schema(
        parameters=DASHBOARD_PARAMETERS,
        responses={200: DashboardSerializer, 400: OpenApiResponse(description="A filter names a bad value.")},
        summary="A cohort's trainees by modules and skills, with activity and at-risk flags",
    )
    def get(self, request, cohort_id):
        cohort = selectors.cohort_for(request.user, cohort_id)
        modules = selectors.course_modules(cohort)
        form = DashboardQueryForm(request.query_params, {m.slug for m in modules})
        if not form.is_valid():
            raise DRFValidationError({field: list(messages) for field, messages in form.errors.items()})
        query = form.query
        board = selectors.cohort_dashboard(cohort, query, modules=modules)
        return Response(DashboardSerializer(dashboard_payload(board, board.page)).data)


class TraineeView(InstructorView):
    @extend_schema(
        responses=TraineeDetailSerializer, summary="A trainee's attempts step by step and shared reflections"
    )
    def get(self, request, cohort_id, user_id):
        cohort = selectors.cohort_for(request.user, cohort_id)
        detail = selectors.trainee_detail(request.user, cohort, selectors.trainee_of(cohort, user_id))
        return Response(TraineeDetailSerializer(detail).data)


class ReflectionView(InstructorView):
    @extend_schema(responses=InstructorReflectionSerializer, summary="Read a shared reflection (the access is audited)")
    def get(self, request, cohort_id, reflection_id):
        cohort = selectors.cohort_for(request.user, cohort_id)
        reflection = services.reflection_open(
            selectors.reflection_for(request.user, cohort, reflection_id), request.user
        )
        return Response(InstructorReflectionSerializer(reflection).data)

    @extend_schema(
        request=ReflectionScoreInputSerializer,
        responses={200: InstructorReflectionSerializer, 409: OpenApiResponse(description="No longer shared.")},
        summary="Score a shared reflection 0-2 per rubric criterion and comment on it",
    )
    def put(self, request, cohort_id, reflection_id):
        cohort = selectors.cohort_for(request.user, cohort_id)
        reflection = selectors.reflection_for(request.user, cohort, reflection_id)
        rubric = list(reflection.attempt.quiz.reflection_rubric or [])
        serializer = ReflectionScoreInputSerializer(data=request.data, context={"rubric": rubric})
        serializer.is_valid(raise_exception=True)
        try:
            reflection = services.reflection_score(
                reflection,
                request.user,
                serializer.validated_data["rubric_scores"],
                serializer.validated_data["comment"],
            )
        except ValidationError as exc:
            raise DRFValidationError(exc.message_dict)
        except Conflict as exc:
            raise ConflictError(str(exc))
        # The answer carries the text, so it is an opening like GET.
        services.reflection_open(reflection, request.user)
        return Response(InstructorReflectionSerializer(reflection).data)


class QuizListView(InstructorView):
    @extend_schema(responses=QuizSummarySerializer(many=True), summary="The cohort's module quizzes with figures")
    def get(self, request, cohort_id):
        cohort = selectors.cohort_for(request.user, cohort_id)
        return Response(QuizSummarySerializer(selectors.quiz_summaries(cohort), many=True).data)


class ItemAnalysisView(InstructorView):
    @extend_schema(
        responses=ItemAnalysisSerializer, summary="Item analysis of a module quiz over the cohort's attempts"
    )
    def get(self, request, cohort_id, quiz_id):
        cohort = selectors.cohort_for(request.user, cohort_id)
        analysis = selectors.item_analysis(cohort, selectors.quiz_for(cohort, quiz_id))
        return Response(ItemAnalysisSerializer(analysis).data)


urlpatterns = [
    path("cohorts/", CohortListView.as_view(), name="api-instructor-cohorts"),
    path("cohorts/<int:cohort_id>/", DashboardView.as_view(), name="api-instructor-dashboard"),
    path("cohorts/<int:cohort_id>/trainees/<int:user_id>/", TraineeView.as_view(), name="api-instructor-trainee"),
    path("cohorts/<int:cohort_id>/reflections/", ReflectionQueueView.as_view(), name="api-instructor-reflections"),
    path(
        "cohorts/<int:cohort_id>/reflections/<int:reflection_id>/",
        ReflectionView.as_view(),
        name="api-instructor-reflection",
    ),
    path("cohorts/<int:cohort_id>/quizzes/", QuizListView.as_view(), name="api-instructor-quizzes"),
    path("cohorts/<int:cohort_id>/quizzes/<int:quiz_id>/", ItemAnalysisView.as_view(), name="api-instructor-items"),
]
