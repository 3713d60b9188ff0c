import json

from django import forms
from django.contrib import admin

from course.admin import AuditTrailAdmin, NoFreeTextLookups

from . import grading
from .models import Answer, Attempt, Dimension, FreeReply, Item, Quiz, Reflection, ReflectionAccess, Skill
from .validation import item_problems, step_name, step_problems


class ItemForm(forms.ModelForm):
    class Meta:
        model = Item
        fields = [
            "course",
            "quiz",
            "slug",
            "version",
            "order",
            "skill",
            "isomorph_group",
            "difficulty",
            "content_note",
            "write_first",
            "vignette",
            "client_statement",
            "steps",
            "is_active",
        ]
        widgets = {"steps": forms.Textarea(attrs={"rows": 24, "cols": 100})}

    def clean(self):
        cleaned = super().clean()
        steps = cleaned.get("steps")
        course = cleaned.get("course")
        skill = cleaned.get("skill")
        if course is not None and skill and not Skill.objects.filter(course=course, key=skill).exists():
            self.add_error("skill", f"'{skill}' is not a skill of {course}: add it to the course's vocabulary first.")
        if isinstance(steps, dict):
            dimensions = dict(Dimension.objects.filter(course=course).values_list("key", "name")) if course else None
            # The import's structure first, then the keying rules validate_course applies to each step
            # (validation.step_problems: one best, a harmful one, rationales, tag polarity against the grade, lengths).
            problems = item_problems(steps, dimensions) or [
                f"{step_name(path)}: {problem}"
                for path, step in grading.keyed_steps(steps)
                for problem in step_problems(step)
            ]
            if problems:
                raise forms.ValidationError({"steps": problems})
            if self.instance.pk and steps != self.instance.steps and cleaned.get("version") == self.instance.version:
                # Answers record the version they were given against: keyed edits need a new version.
                cleaned["version"] = self.instance.version + 1
        elif steps is not None:
            raise forms.ValidationError({"steps": "must be a JSON object with an 'options' list."})
        return cleaned


class ItemInline(admin.TabularInline):
    model = Item
    fields = ("order", "slug", "skill", "difficulty", "write_first", "version", "is_active")
    readonly_fields = ("version",)
    ordering = ("order",)
    extra = 0
    show_change_link = True


@admin.register(Skill, Dimension)
class VocabularyAdmin(NoFreeTextLookups, admin.ModelAdmin):
    """Course data from the package's vocabulary.yaml: names may be edited, keys stay stable."""

    list_display = ("key", "name", "course", "order")
    list_filter = ("course",)
    search_fields = ("key", "name")
    readonly_fields = ("course", "key")


@admin.register(Quiz)
class QuizAdmin(NoFreeTextLookups, admin.ModelAdmin):
    list_display = ("module", "pass_threshold", "harmful_fails")
    list_select_related = ("module", "module__course")
    inlines = [ItemInline]


@admin.register(Item)
class ItemAdmin(NoFreeTextLookups, admin.ModelAdmin):
    form = ItemForm
    list_display = ("slug", "quiz", "skill", "difficulty", "write_first", "version", "is_active")
    list_filter = ("quiz__module__course", "skill", "difficulty", "write_first", "is_active")
    search_fields = ("slug", "vignette", "client_statement")
    list_select_related = ("quiz", "quiz__module")

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("steps", json.dumps({"options": []}))
        return initial


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ("item", "item_version", "step_path", "option_id", "grade", "confidence", "answered_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Attempt)
class AttemptAdmin(NoFreeTextLookups, admin.ModelAdmin):
    list_display = ("user", "quiz", "status", "score", "passed", "started_at")
    list_filter = ("status", "passed")
    list_select_related = ("user", "quiz", "quiz__module")
    raw_id_fields = ("user",)
    inlines = [AnswerInline]


@admin.register(FreeReply)
class FreeReplyAdmin(NoFreeTextLookups, admin.ModelAdmin):
    """Staff see that a reply was written; its words stay with the trainee and their instructors."""

    list_display = ("attempt", "item", "created_at")
    raw_id_fields = ("attempt", "item")


@admin.register(Reflection)
class ReflectionAdmin(NoFreeTextLookups, admin.ModelAdmin):
    """Staff see that reflections exist and whether they are shared; the text stays with author and instructors."""

    list_display = ("author", "attempt", "shared", "created_at", "scored_at")
    readonly_fields = ("attempt", "author", "shared", "created_at", "updated_at")

    def has_add_permission(self, request):
        return False  # a reflection is a trainee's, written on their result page, never by staff


@admin.register(ReflectionAccess)
class ReflectionAccessAdmin(AuditTrailAdmin):
    """Who read which reflection, written by the app when someone reads one."""

    list_display = ("reflection", "viewer", "viewed_at")
    list_select_related = ("reflection", "viewer")
    readonly_fields = ("reflection", "viewer", "viewed_at")
