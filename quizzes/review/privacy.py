"""What spaced review holds about a trainee, for the privacy registry in course.privacy. Cards and
logs are one person's learning state: erasure deletes them (item analysis reads answers, not logs)."""

from django.utils.translation import gettext_lazy as _

from course.privacy import ModelPrivacy, register

FOR_ACCOUNT = "as long as the account exists"


def register_review() -> None:
    register(
        ModelPrivacy(
            model="attune_review.ReviewCard",
            kind="review_cards",
            description=_("Your review cards"),
            subject="user_id",
            retention=FOR_ACCOUNT,
            personal={
                "user": "whose card",
                "course": "which course",
                "kind": "skill or fact",
                "skill": "which skill",
                "fact": "which fact",
                "state": "FSRS scheduling",
                "step": "FSRS scheduling",
                "stability": "FSRS scheduling",
                "difficulty": "FSRS scheduling",
                "due": "when it comes back",
                "last_review": "FSRS scheduling",
                "last_item": "a different isomorph next time",
                "reps": "history",
                "created_at": "history",
            },
        ),
        ModelPrivacy(
            model="attune_review.ReviewLog",
            kind="review_logs",
            description=_("Your reviews"),
            subject="user_id",
            retention=FOR_ACCOUNT,
            personal={
                "user": "whose review",
                "card": "which card",
                "source": "quiz or review",
                "item": "which item",
                "option_id": "what you picked",
                "grade": "how it was graded",
                "rating": "FSRS rating",
                "confidence": "how sure you were",
                "seconds": "how long you took",
                "reviewed_at": "history",
                "due_before": "history",
                "due_after": "history",
                "before": "the card and level before a review, so it can be undone",
            },
            not_personal={"client_id": "a random id the client made, so a double submit is stored once"},
            export_also=("item__slug",),
        ),
        ModelPrivacy(
            model="attune_review.SkillLevel",
            kind="practice_levels",
            description=_("Your practice level in each skill"),
            subject="user_id",
            retention=FOR_ACCOUNT,
            personal={
                "user": "whose level",
                "course": "which course",
                "skill": "which skill",
                "level": "beginner, intermediate or advanced",
                "best_run": "best replies in a row",
                "miss_run": "weak replies in a row",
                "moves": "how often the level changed",
                "updated_at": "history",
                "best_items": "items you picked the best reply for (up to 3)",
                "first_best_on": "date of your first best reply",
                "last_best_on": "date of your latest best reply",
                "recent_picks": "your latest replies' times and grades",
                "ready": "ready to practise",
            },
        ),
    )
