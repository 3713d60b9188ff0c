from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Attune scenario quizzes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from course.extensions import register_module_panel
        from course.package import register_extension

        from .package import QuizExtension
        from .views import module_panel

        register_extension(QuizExtension())
        register_module_panel(module_panel)
