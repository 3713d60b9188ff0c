"""What the quizzes app holds about a trainee, for the privacy registry in course.privacy.

Erasure keeps completed attempts and their answers (option, grade, confidence, time) for item
analysis, reassigned to the anonymous placeholder; free replies, reflections (with instructors'
scores and comments) and the record of who opened them are deleted."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from course.privacy import ANONYMISE, ModelPrivacy, register, register_retention

from .models import Attempt, FreeReply, Reflection

FOR_ACCOUNT = "as long as the account exists"


def _attempts_to_placeholder(qs: QuerySet, placeholder) -> None:
    # An unfinished attempt counts nowhere (item analysis reads completed ones) and one placeholder
    # may hold only one open attempt per quiz: delete them; the completed ones lose their owner.
    qs.filter(status=Attempt.IN_PROGRESS).delete()
    qs.update(user=placeholder)


def _with_attempt(qs: QuerySet, placeholder) -> None:
    """Answers follow their attempt (deleted with an open one, anonymous with a completed one)."""


def _tallies_to_placeholder(qs: QuerySet, placeholder) -> None:
    """The completed attempts' sums pass to the placeholder with the attempts. Erasure walks the
    registry backwards, so this runs before _attempts_to_placeholder moves those attempts."""
    from .tallies import tallies_pass_to

    for user_id in set(qs.values_list("user_id", flat=True)):
        tallies_pass_to(user_id, placeholder.pk)
    qs.delete()


def _blank_free_replies(cutoff) -> int:
    return FreeReply.objects.filter(created_at__lt=cutoff).exclude(text="").update(text="")


def _blank_reflections(cutoff) -> int:
    return Reflection.objects.filter(updated_at__lt=cutoff).exclude(text="").update(text="")


def _blank_instructor_comments(cutoff) -> int:
    return Reflection.objects.filter(scored_at__lt=cutoff).exclude(instructor_comment="").update(instructor_comment="")


def register_quizzes() -> None:
    username = get_user_model().USERNAME_FIELD
    register(
        ModelPrivacy(
            model="attune_quizzes.Attempt",
            kind="attempts",
            description=_("Your quiz attempts"),
            subject="user_id",
            retention=FOR_ACCOUNT + "; after erasure completed attempts stay, anonymous",
            personal={"user": "whose attempt"},
            kept_anonymous={
                "quiz": "item analysis",
                "status": "item analysis reads completed attempts",
                "seed": "the order the options were shown in",
                "item_ids": "the attempt's items",
                "position": "progress through the attempt",
                "step_path": "progress within an item",
                "started_at": "completion over time",
                "completed_at": "completion over time",
                "score": "the cohort's quiz figures",
                "passed": "the cohort's pass rate",
            },
            erasure=ANONYMISE,
            erase=_attempts_to_placeholder,
            export_also=("quiz__module__slug",),
        ),
        ModelPrivacy(
            model="attune_quizzes.Answer",
            kind="answers",
            description=_("Your answers"),
            subject="attempt__user_id",
            retention=FOR_ACCOUNT + "; after erasure the option and grade stay, anonymous",
            personal={},
            kept_anonymous={
                "attempt": "the answer's attempt (anonymous once erased)",
                "item": "item analysis",
                "item_version": "item analysis",
                "step_path": "item analysis per step",
                "option_id": "item analysis: which option was picked",
                "grade": "item analysis",
                "confidence": "calibration figures",
                "seconds": "timing figures",
                "answered_at": "order of the answers",
            },
            erasure=ANONYMISE,
            erase=_with_attempt,
            export_also=("item__slug",),
        ),
        ModelPrivacy(
            model="attune_quizzes.FreeReply",
            kind="free_replies",
            description=_("What you wrote in your own words"),
            subject="attempt__user_id",
            retention="ATTUNE_PRIVACY_FREE_REPLY_RETENTION_DAYS (default: as long as the account exists)",
            personal={
                "attempt": "whose reply",
                "item": "which client",
                "text": "your own reply, for you and your instructors",
                "created_at": "when, and retention",
            },
            export_also=("item__slug",),
        ),
        ModelPrivacy(
            model="attune_quizzes.Reflection",
            kind="reflections",
            description=_("Your reflections, with instructors' scores and comments"),
            subject="author_id",
            retention=(
                "text: ATTUNE_PRIVACY_REFLECTION_RETENTION_DAYS; comment: "
                "ATTUNE_PRIVACY_INSTRUCTOR_COMMENT_RETENTION_DAYS (default: as long as the account exists); "
                "scores as long as the account exists"
            ),
            personal={
                "attempt": "the attempt it closes",
                "author": "whose reflection",
                "text": "your reflection",
                "shared": "who may read it",
                "created_at": "history",
                "updated_at": "history, and retention",
                "rubric_scores": "your instructor's scores",
                "instructor_comment": "your instructor's answer",
                "scored_by": "which instructor scored it",
                "scored_at": "when, and retention",
            },
            export_also=(f"scored_by__{username}",),
        ),
        ModelPrivacy(
            model="attune_quizzes.ReflectionAccess",
            kind="reflection_accesses",
            description=_("Who opened your reflections"),
            subject="reflection__author_id",
            retention=FOR_ACCOUNT,
            personal={"reflection": "which reflection", "viewer": "who opened it", "viewed_at": "when"},
            export_also=(f"viewer__{username}",),
        ),
    )
    register(
        ModelPrivacy(
            model="attune_quizzes.SkillTally",
            kind="skill_tallies",
            description=_("Your answers summed per skill, for your instructor's dashboard"),
            subject="user_id",
            retention=FOR_ACCOUNT,
            personal={
                "user": "whose sums",
                "course": "which course",
                "skill": "which skill",
                "earned": "sum of the grades",
                "steps": "how many answers",
                "harmful": "how many harmful picks",
                "last_answered_at": "last activity",
            },
            # Registered after the attempts, so erased before them (the registry is walked backwards).
            erase=_tallies_to_placeholder,
        )
    )
    register_retention("free_reply", _blank_free_replies)
    register_retention("reflection", _blank_reflections)
    register_retention("instructor_comment", _blank_instructor_comments)
