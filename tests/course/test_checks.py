"""attune.E010: with a manifest storage, a missing staticfiles.json fails `manage.py check`."""

import json

import pytest

from course.checks import check_api_tokens, check_static_manifest

WHITENOISE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture
def production_storage(settings, tmp_path):
    settings.STORAGES = WHITENOISE
    settings.STATIC_ROOT = tmp_path
    return tmp_path


def test_a_missing_manifest_is_an_error_naming_the_fix(production_storage):
    (error,) = check_static_manifest(None)
    assert error.id == "attune.E010"
    assert str(production_storage) in error.msg and "staticfiles.json" in error.msg
    assert "collectstatic --noinput" in error.hint


def test_a_present_manifest_passes(production_storage):
    (production_storage / "staticfiles.json").write_text(json.dumps({"paths": {}, "version": "1.1", "hash": ""}))
    assert check_static_manifest(None) == []


def test_storages_without_a_manifest_need_none(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    assert settings.STORAGES["staticfiles"]["BACKEND"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert check_static_manifest(None) == []


def test_a_lenient_manifest_needs_none(production_storage, settings):
    settings.WHITENOISE_MANIFEST_STRICT = False
    assert check_static_manifest(None) == []


@pytest.mark.parametrize("hours", [0, -1, "soon", None])
def test_a_token_lifetime_that_is_not_a_positive_number_is_an_error(settings, hours):
    settings.ATTUNE_API_TOKEN_TTL_HOURS = hours
    assert [e.id for e in check_api_tokens(None)] == ["attune.E011"]


def test_the_host_settings_pass_and_drf_s_never_expiring_tokens_warn(settings):
    assert check_api_tokens(None) == []
    settings.ATTUNE_API_TOKEN_TTL_HOURS = "0.5"  # environment values arrive as strings
    assert check_api_tokens(None) == []
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    }
    assert [e.id for e in check_api_tokens(None)] == ["attune.W012"]
