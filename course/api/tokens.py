"""API tokens (DRF authtoken): how long one lasts, issuing a fresh one, and revoking them all when
the password changes. Imported only where `rest_framework.authtoken` is installed."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from ..conf import app_settings


def token_expired(token: Token, now: datetime | None = None) -> bool:
    """A token lasts ATTUNE_API_TOKEN_TTL_HOURS from the moment it was issued, however often it is used."""
    return token.created <= (now or timezone.now()) - timedelta(hours=app_settings.API_TOKEN_TTL_HOURS)


def api_token_for(user) -> Token:
    """The user's token, a new one if theirs has expired (DRF's endpoint would hand the stale one back)."""
    with transaction.atomic():
        expired_before = timezone.now() - timedelta(hours=app_settings.API_TOKEN_TTL_HOURS)
        Token.objects.filter(user=user, created__lte=expired_before).delete()
        token, _ = Token.objects.get_or_create(user=user)
    return token


def api_tokens_revoke(user) -> int:
    """Delete the user's tokens: whoever held one must log in again with the new password."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


def revoke_on_password_change(sender, instance, created, **kwargs) -> None:
    """post_save of the user model. `set_password()` leaves the new password in `_password` until
    save() has run; Django's own password_changed hook reads the same flag, so this fires for the
    password change and reset views, the admin, `changepassword` and any `set_password(); save()`, but
    not when check_password() re-hashes the same password with newer hasher settings. A password made
    unusable (the admin's "disable password-based authentication") ends the tokens too."""
    if created:
        return
    has_usable_password = getattr(instance, "has_usable_password", None)
    if getattr(instance, "_password", None) is not None or (has_usable_password and not has_usable_password()):
        api_tokens_revoke(instance)
