from django.apps import AppConfig


class InstructorConfig(AppConfig):
    """Instructors' dashboards, queues, item analysis, charts and exports: no models of its own."""

    name = "quizzes.instructor"
    label = "attune_instructor"
    verbose_name = "Attune instructor views"

    def ready(self):
        from . import signals  # noqa: F401 - the "Teaching" nav flag at login
