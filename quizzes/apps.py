from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    label = "attune_quizzes"
    verbose_name = "Attune scenario quizzes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # course never imports quizzes: quizzes plugs into course's hooks here.
        from course.extensions import register_home_panel, register_module_next, register_module_panel
        from course.package import register_extension

        from .extension import QuizExtension
        from .privacy import register_quizzes
        from .views import home_panel, module_next, module_panel

        register_extension(QuizExtension())
        register_module_panel(module_panel)
        register_module_next(module_next)
        register_home_panel(home_panel)
        register_quizzes()
