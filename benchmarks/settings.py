"""Host settings for the HTTP benchmarks: the project's settings, DEBUG off, plus the anchor views.

The anchors live in benchmarks/urls.py, never in the apps: they exist only to be measured against.
"""

from config.settings import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "benchmarks.urls"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
