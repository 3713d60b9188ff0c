from django.apps import AppConfig, apps


class CourseConfig(AppConfig):
    name = "course"
    label = "attune_course"  # prefixed, so a host's own "course" app cannot collide
    verbose_name = "Attune courses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks, structure  # noqa: F401 - checks register themselves
        from .privacy import register_course

        register_course()
        structure.connect_signals()
        if apps.is_installed("rest_framework.authtoken"):
            from django.conf import settings
            from django.db.models.signals import post_save, pre_save

            from .api.tokens import note_password_change, revoke_on_password_change

            pre_save.connect(note_password_change, sender=settings.AUTH_USER_MODEL, dispatch_uid="attune_tokens")
            post_save.connect(revoke_on_password_change, sender=settings.AUTH_USER_MODEL, dispatch_uid="attune_tokens")
        if apps.is_installed("axes"):  # the host counts failed logins: answer lockouts on the API too
            from .lockout import connect_signals

            connect_signals()
