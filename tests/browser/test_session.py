"""A relationship-state session in a real browser: played to two different endings, each with
its trajectory chart and its text alternative."""

import pytest
import yaml

from course.services import course_import
from quizzes.models import Item
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD, CohortFactory, UserFactory, enroll
from tests.quizzes.test_sessions import FIXTURE, package_files

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def reply(page, item, path, option_id):
    from quizzes import grading

    text = grading.option_by_id(grading.step_at(item.steps, path), option_id)["text"]
    page.get_by_label(f"“{text}”").check()
    page.locator("#confidence-3").check()
    page.get_by_role("button", name="Answer").click()


def test_a_session_played_to_two_endings_shows_its_trajectory(page, make_package, assert_accessible):
    course_import(make_package(package_files(yaml.safe_load(FIXTURE.read_text(encoding="utf-8")))))
    item = Item.objects.get(slug="m1-session-ines")
    enroll(UserFactory(username="ines"), CohortFactory(course=item.course))
    log_in(page, "ines", PASSWORD)

    page.goto("/courses/starter/modules/basics/")
    page.get_by_role("button", name="Start quiz").click()
    reply(page, item, "", "a")
    assert "bond +1" in page.get_by_test_id("state-changes").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Respond").click()
    page.get_by_text("It felt like you'd decided").first.wait_for()
    reply(page, item, "a", "a")
    assert page.get_by_test_id("ending").inner_text() == "The bond is repaired"
    page.get_by_role("link", name="See your results").click()
    summary = page.get_by_test_id("session-summary")
    assert summary.locator("svg[role=img]").count() == 1 and "bond from 2 to 4" in summary.inner_html()
    assert summary.locator("table tbody tr").count() == 3  # start and two replies
    assert_accessible(page)

    page.get_by_role("button", name="Retake quiz").click()
    reply(page, item, "", "d")
    assert page.get_by_test_id("ending").inner_text() == "She leaves early"
    page.get_by_role("link", name="See your results").click()
    assert "bond from 2 to 0" in page.get_by_test_id("session-summary").inner_html()
    assert page.get_by_test_id("outcome").inner_text() == "not passed"
