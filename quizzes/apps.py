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

        # A module's quiz is part of course's cached structure: a changed quiz moves its version.
        from django.db.models.signals import post_delete, post_save

        from course.structure import extension_changed

        from .items import item_changed
        from .models import Item, Quiz

        for signal in (post_save, post_delete):
            signal.connect(extension_changed, sender=Quiz, dispatch_uid=f"attune-structure-quiz-{signal is post_save}")
            # Answers read items from a per-process copy kept under the same version (quizzes/items.py).
            signal.connect(item_changed, sender=Item, dispatch_uid=f"attune-structure-item-{signal is post_save}")
