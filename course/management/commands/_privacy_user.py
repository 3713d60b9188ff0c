"""Resolve a USER argument (username or numeric id) for the privacy commands."""

from django.contrib.auth import get_user_model


def find_user(value: str):
    User = get_user_model()
    manager = User._default_manager
    user = manager.filter(**{User.USERNAME_FIELD: value}).first()
    if user is None and value.isdigit():
        user = manager.filter(pk=int(value)).first()
    return user
