from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Attune scenario quizzes"
    default_auto_field = "django.db.models.BigAutoField"
