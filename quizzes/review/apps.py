from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "quizzes.review"
    label = "attune_review"
    verbose_name = "Attune spaced review"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # quizzes never imports review: review listens to its answers and plugs into course's hooks.
        from course.extensions import register_course_panel, register_home_panel
        from course.package import register_extension

        from ..extensions import register_feedback_panel
        from . import (
            checks,  # noqa: F401 - registers the settings checks
            receivers,  # noqa: F401 - a skill's first answer starts its review card
        )
        from .package import FactsExtension
        from .privacy import register_review
        from .views import course_panel, home_panel, reaction_panel

        register_extension(FactsExtension())
        register_course_panel(course_panel)
        register_home_panel(home_panel)
        register_feedback_panel(reaction_panel)
        register_review()
