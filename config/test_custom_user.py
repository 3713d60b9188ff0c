"""The test host with a custom user model (tests/custom_user: email as USERNAME_FIELD), for the
subprocess test that migrates, checks and imports the shipped course with it."""

from .test_settings import *  # noqa: F403
from .test_settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.custom_user"]
AUTH_USER_MODEL = "attune_test_custom_user.EmailUser"
