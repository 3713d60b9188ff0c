"""The Content-Security-Policy header, and templates that need no 'unsafe-inline' to pass it.

tests/browser/test_csp.py opens the pages in Chromium and counts violations; this file pins the
header and scans every template, so a page the browser test does not open is covered too."""

import re
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(header: str) -> dict[str, str]:
    # django-csp writes the directives in no fixed order: compare them as a mapping.
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return dict(parts)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/", "/no-such-page/"])
def test_pages_carry_the_exact_policy(url):
    response = Client().get(url)
    assert response.status_code in (200, 404)
    assert directives(response["Content-Security-Policy"]) == POLICY


@pytest.mark.django_db
def test_a_trainees_page_carries_the_policy(trainee_client):
    response = trainee_client.get("/")
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == POLICY


@pytest.mark.django_db
def test_the_api_docs_add_only_data_images_and_load_their_script_from_a_url():
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == {**POLICY, "img-src": "'self' data:"}
    page = response.content.decode()
    assert "<style" not in page and re.search(r"<script>", page) is None
    script = Client().get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")


INLINE = [
    (re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style[\s>]", re.I), "a <style> element"),
    (re.compile(r"\sstyle\s*=", re.I), 'a style="" attribute'),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on* handler attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def page_templates():
    for folder in ("course", "quizzes", "templates"):
        for path in sorted((ROOT / folder).rglob("*.html")):
            if "emails" not in path.parts:  # mail clients, not browsers under our policy, read these
                yield path


def test_no_template_needs_unsafe_inline():
    found = []
    templates = list(page_templates())
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert len(templates) > 30
    assert found == []
