from django.apps import AppConfig


class CourseConfig(AppConfig):
    name = "course"
    label = "attune_course"  # prefixed, so a host's own "course" app cannot collide
    verbose_name = "Attune courses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.apps import apps

        from . import (
            checks,  # noqa: F401 - registers the system checks
            structure,
        )
        from .privacy import register_course

        register_course()
        structure.connect_signals()
        if apps.is_installed("axes"):  # the host counts failed logins: answer lockouts on the API too
            from .lockout import connect_signals

            connect_signals()
