"""Scenario quizzes: a module's quiz, its items, the course's skills and dimensions, attempts,
answers, free replies and reflections."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from course.models import Course, Module

from .grading import DIFFICULTIES

TEXT_LIMITS = {"free_reply": 2000, "reflection": 5000}


class Skill(models.Model):
    """A skill a course's items practise: course data, declared in the package's vocabulary.yaml."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="skills")
    key = models.CharField(max_length=64, help_text="Stable id from the package, e.g. empathy.underlying_feeling.")
    name = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["course", "order", "key"]
        constraints = [models.UniqueConstraint(fields=["course", "key"], name="skill_unique_key_per_course")]

    def __str__(self) -> str:
        return self.name


class Dimension(models.Model):
    """A rated dimension that options may show or break (for example the FIS items), per course."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="dimensions")
    key = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["course", "order", "key"]
        constraints = [models.UniqueConstraint(fields=["course", "key"], name="dimension_unique_key_per_course")]

    def __str__(self) -> str:
        return self.name


class Quiz(models.Model):
    """A module's quiz: its items, a pass mark and whether one harmful pick fails the attempt."""

    module = models.OneToOneField(Module, on_delete=models.CASCADE, related_name="quiz")
    pass_threshold = models.FloatField(default=0.7, help_text="Share of the maximum grade needed to pass (0-1).")
    harmful_fails = models.BooleanField(default=True, help_text="Any harmful pick fails the attempt.")
    show_state = models.BooleanField(
        default=True, help_text="Sessions show what each reply changed in the relationship (off for an exam)."
    )
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
    skill = models.CharField(max_length=64, help_text="Key of one of the course's skills.")
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
        indexes = [
            models.Index(fields=["quiz", "status"]),
            models.Index(fields=["user", "quiz", "-started_at"]),
            models.Index(fields=["started_at"], name="attempt_started_at"),  # recent activity (dashboard)
        ]

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


class SkillTally(models.Model):
    """A trainee's answers in one skill of a course, summed: every step, branch steps included.

    The instructor dashboard's running totals, so a cohort's page reads one small row per trainee
    and skill instead of every answer the cohort gave. Each answer adds itself in the statement that
    stores it (quizzes.claim); `manage.py attune_rebuild_tallies` sums the answers again (quizzes.tallies)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    skill = models.CharField(max_length=64)
    earned = models.PositiveIntegerField(default=0, help_text="Sum of the grades of the answers.")
    steps = models.PositiveIntegerField(default=0, help_text="Answers (steps) counted.")
    harmful = models.PositiveIntegerField(default=0, help_text="Answers that picked a harmful option.")
    last_answered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "course", "skill"], name="skill_tally_one_per_user_course_skill")
        ]
        indexes = [
            # The dashboard's cohort-wide reads: per-skill figures, harmful picks, recent answers.
            models.Index(
                fields=["course", "skill"], include=["user", "earned", "steps"], name="skill_tally_course_skill"
            ),
            models.Index(fields=["course", "harmful"], name="skill_tally_course_harmful"),
            models.Index(fields=["course", "last_answered_at"], name="skill_tally_course_answered"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.skill}: {self.earned}/{self.steps}"


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
