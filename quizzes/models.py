from django.conf import settings
from django.db import models
from django.db.models import Q

from course.models import Course, Module

from .vocabulary import DIFFICULTIES, SKILLS

TEXT_LIMITS = {"free_reply": 2000, "reflection": 5000}


class Quiz(models.Model):
    """A module's quiz: its items, a pass mark and whether one harmful pick fails the attempt."""

    module = models.OneToOneField(Module, on_delete=models.CASCADE, related_name="quiz")
    pass_threshold = models.FloatField(default=0.7, help_text="Share of the maximum grade needed to pass (0-1).")
    harmful_fails = models.BooleanField(default=True, help_text="Any harmful pick fails the attempt.")
    reflection_prompt = models.TextField(blank=True)
    reflection_rubric = models.JSONField(default=list, blank=True, help_text="Criteria scored 0-2 each.")
    reflection_exemplar = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "quizzes"
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_threshold__gt=0) & Q(pass_threshold__lte=1), name="quiz_pass_threshold_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Quiz: {self.module}"


class Item(models.Model):
    """A scenario item. `steps` holds the option tree: {"options": [{id, text, grade, rationale,
    dimensions, next: {client_reply, options}}]} (see quizzes.grading for how it is walked)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="items")
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="items")
    slug = models.SlugField(max_length=100, help_text="Stable id from the course package.")
    version = models.PositiveIntegerField(default=1, help_text="Bumped when keyed content changes.")
    order = models.PositiveIntegerField(default=0)
    skill = models.CharField(max_length=64, choices=sorted(SKILLS.items()))
    isomorph_group = models.CharField(max_length=64)
    difficulty = models.CharField(max_length=16, choices=[(d, d) for d in DIFFICULTIES])
    content_note = models.CharField(max_length=300, blank=True)
    write_first = models.BooleanField(default=False)
    vignette = models.TextField()
    client_statement = models.TextField()
    steps = models.JSONField()
    is_active = models.BooleanField(default=True, help_text="False once removed from the course package.")

    class Meta:
        ordering = ["quiz", "order", "slug"]
        constraints = [models.UniqueConstraint(fields=["course", "slug"], name="item_unique_slug_per_course")]
        indexes = [models.Index(fields=["skill", "is_active"])]

    def __str__(self) -> str:
        return self.slug


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


class Attempt(models.Model):
    IN_PROGRESS, COMPLETED = "in_progress", "completed"
    STATUSES = [(IN_PROGRESS, "In progress"), (COMPLETED, "Completed")]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    status = models.CharField(max_length=16, choices=STATUSES, default=IN_PROGRESS)
    seed = models.PositiveIntegerField(help_text="Fixes the order of options for this attempt.")
    item_ids = models.JSONField(help_text="The attempt's items, in order, fixed when it starts.")
    position = models.PositiveIntegerField(default=0, help_text="Index into item_ids of the current item.")
    step_path = models.CharField(max_length=32, blank=True, default="", help_text="Current step within the item.")
    started_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True, help_text="Share of the maximum grade, 0-1.")
    passed = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "quiz"], condition=Q(status="in_progress"), name="attempt_one_open_per_user_quiz"
            ),
        ]
        indexes = [models.Index(fields=["quiz", "status"]), models.Index(fields=["user", "quiz", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.quiz} · {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status == self.IN_PROGRESS


class Answer(models.Model):
    """One pick at one step of one item in an attempt; the grade is copied so history survives edits."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="answers")
    item_version = models.PositiveIntegerField()
    step_path = models.CharField(max_length=32, blank=True, default="")
    option_id = models.CharField(max_length=8)
    grade = models.PositiveSmallIntegerField()
    confidence = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1 (guess) to 4 (sure).")
    seconds = models.FloatField(null=True, blank=True, help_text="Time from the step being shown to the answer.")
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["answered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "item", "step_path"], name="answer_one_per_attempt_step"),
            models.CheckConstraint(condition=Q(grade__lte=3), name="answer_grade_0_to_3"),
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=1, confidence__lte=4),
                name="answer_confidence_1_to_4",
            ),
        ]
        indexes = [models.Index(fields=["item", "step_path", "option_id"])]

    def __str__(self) -> str:
        return f"{self.item} {self.step_path or 'root'}: {self.option_id}"


class FreeReply(models.Model):
    """What the trainee wrote in their own words before seeing the options (write-first items)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="free_replies")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="free_replies")
    text = models.TextField(max_length=TEXT_LIMITS["free_reply"])
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["attempt", "item"], name="free_reply_one_per_attempt_item")]

    def __str__(self) -> str:
        return f"Reply to {self.item} in attempt {self.attempt_id}"


class Reflection(models.Model):
    """The reflection that closes an attempt. Private unless the author shares it with their instructors."""

    attempt = models.OneToOneField(Attempt, on_delete=models.CASCADE, related_name="reflection")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections")
    text = models.TextField(max_length=TEXT_LIMITS["reflection"])
    shared = models.BooleanField(default=False, help_text="Shared with the instructors of the author's cohorts.")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    rubric_scores = models.JSONField(null=True, blank=True, help_text="Instructor's 0-2 score per rubric criterion.")
    instructor_comment = models.TextField(blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["author", "shared"])]

    def __str__(self) -> str:
        return f"Reflection by {self.author} on attempt {self.attempt_id}"


class ReflectionAccess(models.Model):
    """Audit: an instructor opened a reflection (who, which, when; never the text)."""

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="accesses")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    viewed_at = models.DateTimeField()

    class Meta:
        ordering = ["-viewed_at"]
        verbose_name_plural = "reflection accesses"

    def __str__(self) -> str:
        return f"{self.viewer} opened reflection {self.reflection_id} at {self.viewed_at:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------- spaced review and reminders


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
    skill = models.CharField(max_length=64, blank=True, default="")
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
                fields=["user", "skill"], condition=Q(kind="skill"), name="review_card_one_per_user_skill"
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
        indexes = [models.Index(fields=["due", "user"], name="review_card_due_user")]

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

    class Meta:
        ordering = ["reviewed_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(grade__lte=3), name="review_log_grade_0_to_3"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=4), name="review_log_rating_1_to_4"),
        ]
        indexes = [models.Index(fields=["card", "-reviewed_at"]), models.Index(fields=["user", "-reviewed_at"])]

    def __str__(self) -> str:
        return f"{self.card} reviewed {self.reviewed_at:%Y-%m-%d %H:%M}: rating {self.rating}"


class ReminderPreference(models.Model):
    """When and how a trainee wants to be reminded. `next_reminder_at` (UTC) is what the sweep reads."""

    DAILY, WEEKLY, OFF = "daily", "weekly", "off"
    FREQUENCIES = [(DAILY, "Daily"), (WEEKLY, "Weekly"), (OFF, "Off")]

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="reminder_preference"
    )
    time_zone = models.CharField(max_length=64, default="UTC", help_text="IANA name, e.g. Europe/London.")
    time_zone_chosen = models.BooleanField(
        default=False, help_text="The trainee chose the zone; until then the zone of the device they log in on is used."
    )
    reminder_time = models.TimeField(help_text="Local time of day for the reminder.")
    quiet_start = models.TimeField(null=True, blank=True, help_text="Local; may be later than quiet_end.")
    quiet_end = models.TimeField(null=True, blank=True)
    email_enabled = models.BooleanField(default=True)
    in_app_enabled = models.BooleanField(default=True)
    frequency = models.CharField(max_length=8, choices=FREQUENCIES, default=DAILY)
    paused_until = models.DateField(null=True, blank=True, help_text="No reminders up to and including this date.")
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    next_reminder_at = models.DateTimeField(null=True, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    ignored_in_a_row = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(frequency__in=["daily", "weekly", "off"]), name="reminder_preference_frequency_valid"
            ),
            models.CheckConstraint(
                condition=Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="reminder_preference_quiet_hours_paired",
            ),
        ]
        indexes = [models.Index(fields=["next_reminder_at", "user"], name="reminder_pref_next_user")]

    def __str__(self) -> str:
        return f"Reminders for {self.user}: {self.frequency} at {self.reminder_time} {self.time_zone}"


class Reminder(models.Model):
    """The reminder ledger: at most one row per trainee, kind and local date, so at most one send."""

    REVIEW_DIGEST = "review_digest"
    KINDS = [(REVIEW_DIGEST, "Reviews due")]
    PLANNED, SENDING, SENT, SKIPPED, FAILED, ABANDONED = "planned", "sending", "sent", "skipped", "failed", "abandoned"
    STATUSES = [(s, s.capitalize()) for s in (PLANNED, SENDING, SENT, SKIPPED, FAILED, ABANDONED)]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=KINDS, default=REVIEW_DIGEST)
    local_date = models.DateField(help_text="The trainee's own date when it was planned.")
    status = models.CharField(max_length=10, choices=STATUSES, default=PLANNED)
    sweep = models.UUIDField(help_text="The sweep that planned it: only that sweep enqueues it.")
    due_count = models.PositiveIntegerField(default=0)
    planned_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim = models.UUIDField(null=True, blank=True, help_text="The send that claimed it (conditional UPDATE).")
    detail = models.CharField(max_length=200, blank=True, default="", help_text="Why skipped or failed (no PII).")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "local_date"], name="reminder_one_per_user_kind_day"),
        ]
        indexes = [
            models.Index(fields=["status", "claimed_at"]),
            models.Index(fields=["sweep"]),
            models.Index(fields=["claim"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user} on {self.local_date}: {self.status}"


class Notification(models.Model):
    """An in-app notification. Counts and a link only, never scenario or reflection text."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    reminder = models.OneToOneField(
        Reminder, on_delete=models.SET_NULL, null=True, blank=True, related_name="notification"
    )
    title = models.CharField(max_length=200)
    body = models.CharField(max_length=500, blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"]), models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.title} for {self.user}"
