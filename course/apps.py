from django.apps import AppConfig


class CourseConfig(AppConfig):
    name = "course"
    verbose_name = "Attune courses"
    default_auto_field = "django.db.models.BigAutoField"
