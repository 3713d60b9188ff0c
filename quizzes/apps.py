from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Attune scenario quizzes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # course never imports quizzes: quizzes plugs into course's hooks here.
        from course.extensions import register_course_panel, register_module_panel
        from course.package import register_extension

        from . import checks  # noqa: F401 - registers the settings checks
        from .instructor import signals  # noqa: F401 - connects the "Teaching" nav flag at login
        from .package import QuizExtension
        from .review import signals as review_signals  # noqa: F401 - the device's time zone at login
        from .review.views import course_panel
        from .views import module_panel

        register_extension(QuizExtension())
        register_module_panel(module_panel)
        register_course_panel(course_panel)
