from django.conf import settings
from django.db import models
from django.db.models import Q


class Course(models.Model):
    slug = models.SlugField(max_length=100, unique=True, help_text="Stable id from the course package.")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    structure_version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Bumped whenever a module, lesson or prerequisite changes: the cached structure's key.",
    )

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    slug = models.SlugField(max_length=100)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    order = models.PositiveIntegerField()
    prerequisites = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="unlocks",
        blank=True,
        help_text="Modules a trainee must complete before this one opens.",
    )
    references = models.JSONField(default=list, blank=True, help_text='[{"key": ..., "apa": ...}]')
    quiz_required = models.BooleanField(
        default=False, help_text="Set when the module has a quiz: passing it is part of completing the module."
    )
    is_active = models.BooleanField(default=True, help_text="False once removed from the course package.")

    class Meta:
        ordering = ["course", "order"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="module_unique_slug_per_course"),
        ]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    slug = models.SlugField(max_length=100)
    title = models.CharField(max_length=200)
    order = models.PositiveIntegerField()
    estimated_minutes = models.PositiveIntegerField(default=5)
    body_markdown = models.TextField()
    body_html = models.TextField(editable=False, help_text="Rendered and sanitised from body_markdown on save.")
    objectives = models.JSONField(default=list, blank=True)
    key_terms = models.JSONField(default=list, blank=True, help_text='[{"term": ..., "definition": ...}]')
    references = models.JSONField(default=list, blank=True, help_text="Keys into the module's references.")
    is_active = models.BooleanField(default=True, help_text="False once removed from the course package.")

    class Meta:
        ordering = ["module__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["module", "slug"], name="lesson_unique_slug_per_module"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        from .rendering import render_markdown

        self.body_html = render_markdown(self.body_markdown)
        if kwargs.get("update_fields") is not None and "body_markdown" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html"}
        super().save(*args, **kwargs)


class Cohort(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=200)
    start_date = models.DateField()
    instructors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teaching_cohorts", blank=True)
    trainees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Enrollment", related_name="cohorts", blank=True
    )

    class Meta:
        ordering = ["-start_date", "name"]
        # Seeing every cohort as its instructors do is granted, never implied by is_staff (superusers have it).
        permissions = [("view_all_cohorts", "Can see every cohort as its instructors do (reflection reads audited)")]

    def __str__(self) -> str:
        return f"{self.name} ({self.course})"


class Enrollment(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrollments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="enrollment_unique_user_per_cohort"),
        ]
        indexes = [models.Index(fields=["user", "cohort"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.cohort}"


class LessonProgress(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    first_opened_at = models.DateTimeField()
    last_opened_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="lesson_progress_unique_user_lesson"),
        ]
        indexes = [
            models.Index(fields=["lesson", "completed_at"]),
            # Who has been active lately (the instructor dashboard's at-risk rule reads only recent rows).
            models.Index(fields=["last_opened_at"], name="lesson_progress_last_opened"),
        ]
        verbose_name_plural = "lesson progress"

    def __str__(self) -> str:
        return f"{self.user} · {self.lesson}"


class ModuleResult(models.Model):
    """The best assessment result a trainee reached in a module (written by the quizzes app via services)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="module_results")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="results")
    best_score = models.FloatField(help_text="Share of the maximum grade, 0-1.")
    passed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "module"], name="module_result_unique_user_module"),
            models.CheckConstraint(
                condition=Q(best_score__gte=0) & Q(best_score__lte=1), name="module_result_score_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.module}: {self.best_score:.0%}"


class PrivacyRecord(models.Model):
    """Audit of an export or an erasure: who did it to whom and when, with row counts, never content.

    `subject_id` is a plain number, not a foreign key, so the record outlives the erased account."""

    EXPORT, ERASURE = "export", "erasure"
    ACTIONS = [(EXPORT, "Export"), (ERASURE, "Erasure")]

    action = models.CharField(max_length=8, choices=ACTIONS)
    subject_id = models.PositiveBigIntegerField(help_text="The person's account id at the time.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who asked; empty for the person themselves, a command, or an erased actor.",
    )
    at = models.DateTimeField()
    counts = models.JSONField(default=dict, blank=True, help_text="Rows per kind (erasure).")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["subject_id", "action"])]
        # Exporting someone else's data (private reflections included) is granted, never implied by is_staff.
        permissions = [("export_user_data", "Can export any account's Attune data (audited)")]

    def __str__(self) -> str:
        return f"{self.action} of account {self.subject_id} at {self.at:%Y-%m-%d %H:%M}"
