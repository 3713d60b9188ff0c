import pytest

from tests.browser.conftest import log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_trainee_reads_a_lesson_marks_it_complete_and_the_progress_bar_moves(page, trainee, assert_accessible):
    log_in(page, "trainee", PASSWORD)
    page.get_by_role("heading", name="Your next steps").wait_for()
    assert page.get_by_test_id("welcome").is_visible()  # a newcomer is welcomed, with the first lesson
    assert_accessible(page)

    page.get_by_role("link", name="Start the first lesson").click()
    page.get_by_role("heading", name="First steps 1").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Mark complete", exact=True).click()
    page.get_by_test_id("lesson-complete").wait_for()
    assert page.get_by_test_id("progress-relationship").get_attribute("value") == "1"
    assert "1 of 4 lessons complete" in page.content()

    page.get_by_role("link", name="The Relationship").first.click()
    assert page.get_by_test_id("progress-relationship").get_attribute("value") == "1"
    assert page.get_by_test_id("locked-second").is_visible()
    assert_accessible(page)
