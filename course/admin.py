from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from . import privacy
from .models import Cohort, Course, Enrollment, Lesson, LessonProgress, Module, ModuleResult, PrivacyRecord


def free_text_fields() -> set[tuple[type[models.Model], str]]:
    """What people write in their own words: every TextField the privacy inventory declares personal
    (today a trainee's written replies and reflections, and the instructor's comment, which may quote
    one). Read at request time: apps register their declarations in ready(), after the admin loads."""
    fields = set()
    for declaration in privacy.declarations():
        model = declaration.model_class()
        for name in declaration.personal:
            if isinstance(model._meta.get_field(name), models.TextField):
                fields.add((model, name))
    return fields


def lookup_touches_free_text(model, lookup: str) -> bool:
    """Whether a lookup path (`attempt__reflection__text__startswith`) reaches a free-text field."""
    protected = free_text_fields()
    for part in lookup.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # the rest are transforms or lookups, or an unknown name the changelist refuses
        if (model, field.name) in protected:
            return True
        if not getattr(field, "path_infos", None):
            return False
        model = field.path_infos[-1].to_opts.model
    return False


class NoFreeTextLookups:
    """Free text stays out of the admin whatever the staff member's permissions: it is left out of the
    forms, and a changelist refuses (400) any lookup that filters on it, or `?text__startswith=`
    would recover it a character at a time. Every Attune ModelAdmin has this first among its bases."""

    def lookup_allowed(self, lookup, value, request=None):
        if lookup_touches_free_text(self.model, lookup):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_exclude(self, request, obj=None):
        hidden = [name for model, name in free_text_fields() if model is self.model]
        return [*(super().get_exclude(request, obj) or ()), *hidden] or None


class ModuleInline(admin.TabularInline):
    model = Module
    fields = ("order", "slug", "title", "is_active")
    ordering = ("order",)
    extra = 0
    show_change_link = True


class LessonInline(admin.TabularInline):
    model = Lesson
    fields = ("order", "slug", "title", "estimated_minutes", "is_active")
    ordering = ("order",)
    extra = 0
    show_change_link = True


@admin.register(Course)
class CourseAdmin(NoFreeTextLookups, admin.ModelAdmin):
    list_display = ("title", "slug", "updated_at")
    search_fields = ("title", "slug")
    inlines = [ModuleInline]


@admin.register(Module)
class ModuleAdmin(NoFreeTextLookups, admin.ModelAdmin):
    list_display = ("title", "course", "order", "quiz_required", "is_active")
    list_filter = ("course", "is_active")
    search_fields = ("title", "slug")
    filter_horizontal = ("prerequisites",)
    inlines = [LessonInline]


@admin.register(Lesson)
class LessonAdmin(NoFreeTextLookups, admin.ModelAdmin):
    list_display = ("title", "module", "order", "estimated_minutes", "is_active")
    list_filter = ("module__course", "module", "is_active")
    search_fields = ("title", "slug", "body_markdown")
    list_select_related = ("module",)


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Cohort)
class CohortAdmin(NoFreeTextLookups, admin.ModelAdmin):
    list_display = ("name", "course", "start_date")
    list_filter = ("course",)
    search_fields = ("name",)
    filter_horizontal = ("instructors",)
    inlines = [EnrollmentInline]


@admin.register(LessonProgress)
class LessonProgressAdmin(NoFreeTextLookups, admin.ModelAdmin):
    list_display = ("user", "lesson", "first_opened_at", "completed_at")
    list_select_related = ("user", "lesson")
    raw_id_fields = ("user", "lesson")


@admin.register(ModuleResult)
class ModuleResultAdmin(NoFreeTextLookups, admin.ModelAdmin):
    list_display = ("user", "module", "best_score", "passed_at")
    list_select_related = ("user", "module")
    raw_id_fields = ("user", "module")


class AuditTrailAdmin(NoFreeTextLookups, admin.ModelAdmin):
    """An audit trail in the admin: viewed only; the services that act write it, nobody edits it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PrivacyRecord)
class PrivacyRecordAdmin(AuditTrailAdmin):
    """The audit of exports and erasures, written by the privacy services alone."""

    list_display = ("action", "subject_id", "actor", "at")
    list_filter = ("action",)
    search_fields = ("=subject_id",)


@admin.action(description=_l("Erase the selected accounts' Attune data (answers kept anonymous)"))
def erase_selected_users(modeladmin, request, queryset):
    erased = 0
    for user_pk in queryset.values_list("pk", flat=True):
        try:
            erased += privacy.erase_user(user_pk, actor=request.user).erased
        except privacy.ErasureRefused as exc:
            modeladmin.message_user(request, str(exc), messages.WARNING)
    modeladmin.message_user(request, _("%(n)d accounts erased.") % {"n": erased}, messages.SUCCESS)


def _add_erase_action() -> None:
    # The user model's admin belongs to the host (or django.contrib.auth): add the action if it is there.
    User = get_user_model()
    if admin.site.is_registered(User):
        user_admin = admin.site.get_model_admin(User)
        user_admin.actions = [*(user_admin.actions or []), erase_selected_users]


_add_erase_action()
