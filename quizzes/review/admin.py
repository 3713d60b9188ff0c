from django.contrib import admin

from course.admin import NoFreeTextLookups

from .models import Fact


@admin.register(Fact)
class FactAdmin(NoFreeTextLookups, admin.ModelAdmin):
    list_display = ("slug", "module", "version", "is_active")
    list_filter = ("module__course", "is_active")
    search_fields = ("slug", "question")
