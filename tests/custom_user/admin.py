from django.contrib import admin

from .models import EmailUser


@admin.register(EmailUser)
class EmailUserAdmin(admin.ModelAdmin):
    search_fields = ["email"]  # Attune's enrolment inline picks users by autocomplete
