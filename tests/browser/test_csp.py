"""The Content-Security-Policy holds in a real browser: every main page, its scripts run, 0 violations.

Chromium reports each blocked inline script, style, style="" attribute or handler both as a
`securitypolicyviolation` event and as a console error; the test listens to both."""

import pytest
from django.core.management import call_command

from course.models import Cohort, Module
from quizzes import services
from quizzes.models import Quiz
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD, UserFactory, enroll
from tests.quizzes.instructor.conftest import GOOD, HARMFUL, play, quiz  # noqa: F401 - the quiz fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Watch:
    """Collects the violations of every page a test opens, keyed by URL."""

    def __init__(self, page):
        self.page = page
        self.found: dict[str, list[str]] = {}
        self.pages = 0
        page.add_init_script(LISTEN)  # runs before the page's own scripts, and CSP does not apply to it
        page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.found.setdefault(self.page.url, []).append(f"console: {message.text[:200]}")

    def check(self):
        """Collect the events of the page now open (the listener's array is per document)."""
        self.page.wait_for_load_state("load")
        self.pages += 1
        events = self.page.evaluate("window.__csp || []")
        if events:
            self.found.setdefault(self.page.url, []).extend(events)

    def visit(self, url):
        response = self.page.goto(url)
        assert response is not None and response.status < 500, (url, response and response.status)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        self.check()
        return response


@pytest.fixture
def shipped_trainee(db):
    call_command("import_course", verbosity=0)
    module = Module.objects.get(slug="m1-evidence")
    cohort = Cohort.objects.create(course=module.course, name="Policy", start_date="2026-09-01")
    return enroll(UserFactory(username="learner"), cohort)


def test_the_trainees_pages_run_with_no_csp_violation(page, shipped_trainee):
    watch = Watch(page)
    watch.visit("/accounts/login/")
    log_in(page, "learner", PASSWORD)
    page.get_by_test_id("welcome").wait_for()
    watch.check()  # home
    page.get_by_test_id("next-lesson").click()
    page.wait_for_url("**/lessons/**")
    watch.check()  # the first lesson
    watch.visit("/courses/therapeutic-relationship/modules/m1-evidence/")
    watch.visit("/courses/therapeutic-relationship/")

    # A quiz step, answered through its script (keys choose options), then the feedback and the result.
    attempt, _ = services.attempt_start(shipped_trainee, Quiz.objects.get(module__slug="m1-evidence"))
    watch.visit(f"/quizzes/attempts/{attempt.pk}/")
    if page.locator("textarea[name=text]").count():
        page.locator("textarea[name=text]").fill("It sounds like this matters to you. Tell me more?")
        page.get_by_role("button", name="Save my reply and see the options").click()
        page.locator(".reply-options input[name=option]").first.wait_for()
        watch.check()
    page.locator(".reply-options input[name=option]").first.wait_for()
    page.keyboard.press("1")  # answer.js: keys 1-4 choose an option (so the script ran)
    assert page.locator(".reply-options input[name=option]").first.is_checked()
    page.locator("#confidence-3").check()
    page.get_by_role("button", name="Answer").click()
    page.get_by_test_id("grade").wait_for()
    watch.check()  # feedback
    assert page.evaluate("document.activeElement.id") == "feedback-title"  # step-focus.js ran

    watch.visit("/quizzes/review/")
    watch.visit("/quizzes/review/skills/")
    watch.visit("/quizzes/notifications/")
    watch.visit("/quizzes/reminders/preferences/")
    # device-zone.js, moved out of the page, still offers the device's zone.
    button = page.locator("#use-device-zone")
    assert button.is_visible() and "(" in button.inner_text()
    watch.visit("/account/data/")
    watch.visit("/no-such-page/")
    assert watch.pages >= 12
    assert watch.found == {}, watch.found


def test_the_instructors_pages_run_with_no_csp_violation(page, cohort, quiz, trainee, instructor):  # noqa: F811
    play(trainee, quiz, HARMFUL)
    attempt = play(trainee, quiz, HARMFUL, reflection="I wanted to explain myself.", shared=True)
    play(enroll(UserFactory(username="steady"), cohort), quiz, GOOD)
    watch = Watch(page)
    log_in(page, "instructor", PASSWORD)
    watch.check()
    watch.visit("/instructor/")
    watch.visit(f"/instructor/cohorts/{cohort.pk}/")
    watch.visit(f"/instructor/cohorts/{cohort.pk}/charts/")
    watch.visit(f"/instructor/cohorts/{cohort.pk}/trainees/{trainee.pk}/")
    watch.visit(f"/instructor/cohorts/{cohort.pk}/reflections/{attempt.reflection.pk}/")
    watch.visit(f"/instructor/cohorts/{cohort.pk}/quizzes/")
    watch.visit(f"/instructor/cohorts/{cohort.pk}/quizzes/{quiz.pk}/")
    assert watch.found == {}, watch.found
    # The paths' bars keep their widths without style="" (an SVG width attribute).
    bars = page.locator("svg.bar")
    assert bars.count() >= 1 and bars.first.bounding_box()["width"] > 0


def test_the_lockout_page_the_admin_and_the_api_docs_run_with_no_csp_violation(
    page, live_server, settings, db, assert_accessible
):
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(username="amara")
    UserFactory(username="root", is_staff=True, is_superuser=True)
    watch = Watch(page)
    watch.visit("/admin/login/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Site administration").wait_for()
    watch.check()
    page.context.clear_cookies()
    for _ in range(2):
        log_in(page, "amara", "wrong-guess")
    page.get_by_test_id("lockout").wait_for()
    watch.check()
    assert_accessible(page)
    watch.visit("/api/docs/")
    page.locator(".swagger-ui .information-container").wait_for()  # Swagger UI's own script ran
    assert watch.found == {}, watch.found
