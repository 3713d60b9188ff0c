from django.apps import AppConfig


class RemindersConfig(AppConfig):
    """Optional: the only Attune app that needs Celery. Leave it out and nothing is reminded."""

    name = "quizzes.reminders"
    label = "attune_reminders"
    verbose_name = "Attune reminders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from course.extensions import register_course_panel, register_home_panel

        from . import (
            signals,  # noqa: F401 - device time zone at login, reviews, instructors' answers
            tasks,  # noqa: F401 - registers the tasks the sweep enqueues by name
        )
        from .privacy import register_reminders
        from .views import course_panel, home_panel

        register_course_panel(course_panel)
        register_home_panel(home_panel)
        register_reminders()
