from django.contrib import admin

from .models import Fact


@admin.register(Fact)
class FactAdmin(admin.ModelAdmin):
    list_display = ("slug", "module", "version", "is_active")
    list_filter = ("module__course", "is_active")
    search_fields = ("slug", "question")
