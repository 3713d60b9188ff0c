"""Settings for the Celery workers the end-to-end tests start: the test host's, with the
reminder timings the test chose (seconds, not minutes) read from the environment."""

import os

from config.test_settings import *  # noqa: F403

ATTUNE_REMINDER_RETRY_BASE_SECONDS = float(os.environ.get("TEST_RETRY_BASE_SECONDS", "30"))
ATTUNE_REMINDER_RETRY_MAX_SECONDS = float(os.environ.get("TEST_RETRY_MAX_SECONDS", "1800"))
ATTUNE_REMINDER_MAX_RETRIES = int(os.environ.get("TEST_MAX_RETRIES", "5"))
ATTUNE_REMINDER_SEND_SOFT_TIME_LIMIT = int(os.environ.get("TEST_SEND_SOFT_TIME_LIMIT", "240"))
ATTUNE_REMINDER_SEND_TIME_LIMIT = int(os.environ.get("TEST_SEND_TIME_LIMIT", "300"))
