"""Remember at login whether to show the "Teaching" link, so the nav costs no query per page.

Only the link's visibility is remembered; access to every instructor page is checked afresh on
each request (and the flag is refreshed there too)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

SESSION_KEY = "attune_teaches"


def remember_teaching(request, teaches: bool) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY) != teaches:
        session[SESSION_KEY] = teaches


@receiver(user_logged_in, dispatch_uid="attune-remember-teaching")
def _on_login(sender, request, user, **kwargs):
    from .selectors import is_instructor

    remember_teaching(request, is_instructor(user))
