"""attune.E010: with a manifest storage, a missing staticfiles.json fails `manage.py check`."""

import json

import pytest

from course.checks import check_static_manifest

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
