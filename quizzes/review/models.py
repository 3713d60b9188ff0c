"""Spaced review: the facts deck, review cards (FSRS state per trainee and skill or fact) and their logs."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from course.models import Course, Module
from quizzes.models import Item


class Fact(models.Model):
    """A short question with one keyed answer (the facts deck)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="facts")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="facts")
    slug = models.SlugField(max_length=100)
    version = models.PositiveIntegerField(default=1)
    question = models.TextField()
    options = models.JSONField(help_text='[{"id": "a", "text": ..., "correct": true}]')
    explanation = models.TextField()
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "slug"], name="fact_unique_slug_per_course")]

    def __str__(self) -> str:
        return self.slug


class ReviewCard(models.Model):
    """The FSRS state of one thing a trainee reviews: a skill (played through its isomorphs) or a fact.

    The columns mirror fsrs.Card; the card's pk is the fsrs card_id. `due` is UTC.
    """

    SKILL, FACT = "skill", "fact"
    KINDS = [(SKILL, "Skill"), (FACT, "Fact")]
    LEARNING, REVIEW, RELEARNING = 1, 2, 3  # fsrs.State values
    STATES = [(LEARNING, "Learning"), (REVIEW, "Review"), (RELEARNING, "Relearning")]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_cards")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="review_cards")
    kind = models.CharField(max_length=8, choices=KINDS)
    skill = models.CharField(max_length=64, blank=True, default="", help_text="Key of a skill of the course.")
    fact = models.ForeignKey(Fact, on_delete=models.CASCADE, null=True, blank=True, related_name="review_cards")
    state = models.PositiveSmallIntegerField(choices=STATES, default=LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    last_item = models.ForeignKey(
        Item, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="Isomorph shown last."
    )
    reps = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course", "skill"],
                condition=Q(kind="skill"),
                name="review_card_one_per_user_course_skill",
            ),
            models.UniqueConstraint(
                fields=["user", "fact"], condition=Q(kind="fact"), name="review_card_one_per_user_fact"
            ),
            models.CheckConstraint(
                condition=(Q(kind="skill") & ~Q(skill="") & Q(fact__isnull=True))
                | (Q(kind="fact") & Q(skill="") & Q(fact__isnull=False)),
                name="review_card_skill_xor_fact",
            ),
        ]
        # (due, user) lets the sweep's grouped count of due cards run from the index alone.
        # (course, user, due): the instructor's overdue count per trainee of a cohort is an index range
        # per trainee, so even the nested loop a planner picks on fresh statistics stays cheap.
        indexes = [
            models.Index(fields=["due", "user"], name="review_card_due_user"),
            models.Index(fields=["course", "user", "due"], name="review_card_course_user_due"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.skill or self.fact_id} due {self.due:%Y-%m-%d %H:%M}"


class ReviewLog(models.Model):
    """One review of a card. `client_id` is made by the client, so a double submit is stored once."""

    QUIZ, REVIEW = "quiz", "review"
    SOURCES = [(QUIZ, "First answer in a quiz"), (REVIEW, "Spaced review")]

    client_id = models.UUIDField(unique=True)
    card = models.ForeignKey(ReviewCard, on_delete=models.CASCADE, related_name="logs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_logs")
    source = models.CharField(max_length=8, choices=SOURCES, default=REVIEW)
    item = models.ForeignKey(Item, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    option_id = models.CharField(max_length=8, blank=True, default="")
    grade = models.PositiveSmallIntegerField()
    rating = models.PositiveSmallIntegerField(help_text="fsrs.Rating: 1 again, 2 hard, 3 good, 4 easy.")
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    reviewed_at = models.DateTimeField()
    due_before = models.DateTimeField()
    due_after = models.DateTimeField()
    before = models.JSONField(
        null=True,
        blank=True,
        help_text="A spaced review's undo record: the card's FSRS fields and the skill's practice level before it.",
    )

    class Meta:
        ordering = ["reviewed_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(grade__lte=3), name="review_log_grade_0_to_3"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=4), name="review_log_rating_1_to_4"),
        ]
        indexes = [models.Index(fields=["card", "-reviewed_at"]), models.Index(fields=["user", "-reviewed_at"])]

    def __str__(self) -> str:
        return f"{self.card} reviewed {self.reviewed_at:%Y-%m-%d %H:%M}: rating {self.rating}"


class SkillLevel(models.Model):
    """A trainee's practice level in one skill of a course (quizzes.review.levels moves it)."""

    LEVELS = [("beginner", "Beginner"), ("intermediate", "Intermediate"), ("advanced", "Advanced")]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skill_levels")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    skill = models.CharField(max_length=64)
    level = models.CharField(max_length=16, choices=LEVELS, default="beginner")
    best_run = models.PositiveSmallIntegerField(default=0)
    miss_run = models.PositiveSmallIntegerField(default=0)
    moves = models.PositiveIntegerField(default=0, help_text="How often the level has changed.")
    updated_at = models.DateTimeField()
    # The skill's mastery.MasteryState, moved by the same picks and saved in the same UPDATE as the level.
    best_items = models.JSONField(default=list, blank=True, help_text="Up to 3 distinct items picked best.")
    first_best_on = models.DateField(null=True, blank=True, help_text="UTC date of the first best pick.")
    last_best_on = models.DateField(null=True, blank=True, help_text="UTC date of the last best pick.")
    recent_picks = models.JSONField(
        default=list, blank=True, help_text='The latest 5 picks, oldest first: [["<UTC time>", grade], ...].'
    )
    ready = models.BooleanField(default=False, help_text="Ready to practise (quizzes.review.mastery's rule).")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "course", "skill"], name="skill_level_one_per_user_course_skill"),
            models.CheckConstraint(
                condition=Q(level__in=["beginner", "intermediate", "advanced"]), name="skill_level_valid"
            ),
        ]
        # The instructor dashboard's per-skill levels and ready counts over a cohort: read from the
        # index alone (PostgreSQL), the trainee checked against the cohort there too. The trainee
        # is a key column, not an included one: a trainee's own row (an answer's lock) found
        # through this index is one descent, where with the trainee included it was a scan of the
        # skill's whole cohort, the plan PostgreSQL chose before ANALYZE.
        indexes = [
            models.Index(
                fields=["course", "skill", "user"], include=["level", "ready"], name="skill_level_course_skill_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.skill}: {self.level}"
