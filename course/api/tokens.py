"""API tokens (DRF authtoken): how long one lasts, issuing a fresh one, and revoking them all when
the password changes. Imported only where `rest_framework.authtoken` is installed."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.hashers import is_password_usable
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


def note_password_change(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """pre_save of the user model: mark a save that changes the password, for the post_save below.
    `set_password()` leaves the new password in `_password` until save() has run (Django's own
    password_changed hook reads the same flag): the password change and reset views, the admin,
    `changepassword`, any `set_password(); save()`; not check_password() re-hashing the same
    password with newer hasher settings. A password made unusable (the admin's "disable
    password-based authentication") counts only when it was usable before, so every later save of
    an account without a password (single sign-on, say) keeps its tokens."""
    if raw or instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    if getattr(instance, "_password", None) is not None:
        instance._attune_revoke_tokens = True
        return
    has_usable_password = getattr(instance, "has_usable_password", None)
    if has_usable_password is None or has_usable_password():
        return
    before = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    if before is not None and is_password_usable(before):
        instance._attune_revoke_tokens = True


def revoke_on_password_change(sender, instance, created, **kwargs) -> None:
    """post_save of the user model: the saved password change ends the user's API tokens."""
    if getattr(instance, "_attune_revoke_tokens", False):
        instance._attune_revoke_tokens = False
        api_tokens_revoke(instance)
