"""The test host: the demo host's settings with a fast password hasher (PBKDF2 for every persona
would spend most of the suite hashing)."""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
