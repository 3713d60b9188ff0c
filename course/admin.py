from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from . import privacy
from .models import Cohort, Course, Enrollment, Lesson, LessonProgress, Module, ModuleResult, PrivacyRecord


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
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "updated_at")
    search_fields = ("title", "slug")
    inlines = [ModuleInline]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ("title", "course", "order", "quiz_required", "is_active")
    list_filter = ("course", "is_active")
    search_fields = ("title", "slug")
    filter_horizontal = ("prerequisites",)
    inlines = [LessonInline]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ("title", "module", "order", "estimated_minutes", "is_active")
    list_filter = ("module__course", "module", "is_active")
    search_fields = ("title", "slug", "body_markdown")
    list_select_related = ("module",)


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ("name", "course", "start_date")
    list_filter = ("course",)
    search_fields = ("name",)
    filter_horizontal = ("instructors",)
    inlines = [EnrollmentInline]


@admin.register(LessonProgress)
class LessonProgressAdmin(admin.ModelAdmin):
    list_display = ("user", "lesson", "first_opened_at", "completed_at")
    list_select_related = ("user", "lesson")
    raw_id_fields = ("user", "lesson")


@admin.register(ModuleResult)
class ModuleResultAdmin(admin.ModelAdmin):
    list_display = ("user", "module", "best_score", "passed_at")
    list_select_related = ("user", "module")
    raw_id_fields = ("user", "module")


@admin.register(PrivacyRecord)
class PrivacyRecordAdmin(admin.ModelAdmin):
    """Read-only: the audit of exports and erasures is written by the privacy services alone."""

    list_display = ("action", "subject_id", "actor", "at")
    list_filter = ("action",)
    search_fields = ("=subject_id",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
