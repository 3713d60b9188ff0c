from django.contrib import admin

from .models import Cohort, Course, Enrollment, Lesson, LessonProgress, Module, ModuleResult


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
