import csv
import io
from pathlib import Path

import pytest

from quizzes.models import Reflection, ReflectionAccess
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD, UserFactory, enroll
from tests.quizzes.instructor.conftest import GOOD, HARMFUL, play, quiz  # noqa: F401 - the quiz fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def class_with_history(cohort, quiz, trainee, instructor):  # noqa: F811 - the imported fixture
    play(trainee, quiz, HARMFUL)
    play(trainee, quiz, HARMFUL, reflection="I wanted to explain myself instead of listening.", shared=True)
    play(enroll(UserFactory(username="steady", first_name="Steady"), cohort), quiz, GOOD)
    return cohort


def test_instructor_filters_at_risk_opens_a_trainee_scores_a_reflection_and_downloads_the_csv(
    page, class_with_history, instructor, trainee, assert_accessible
):
    cohort = class_with_history
    log_in(page, "instructor", PASSWORD)
    page.get_by_role("link", name="Teaching").click()
    page.get_by_role("heading", name="Teaching").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Autumn", exact=True).click()
    page.get_by_role("heading", name="Autumn").wait_for()
    assert page.get_by_test_id("trainee-row").count() == 2
    assert_accessible(page)

    summary = page.get_by_test_id("filter-summary")
    assert summary.inner_text() == "Filters: all trainees, sorted by name"
    assert not page.get_by_label("Trainees", exact=True).is_visible()  # folded while nothing is filtered
    summary.click()
    page.get_by_label("Trainees", exact=True).select_option("at_risk")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**risk=at_risk**")
    rows = page.get_by_test_id("trainee-row")
    assert rows.count() == 1 and "harmful picks" in rows.first.inner_text()
    assert page.get_by_test_id("filter-summary").inner_text() == "Filters: at risk only, sorted by name"
    assert page.get_by_label("Trainees", exact=True).is_visible()  # open while a filter is on
    assert_accessible(page)

    page.get_by_role("link", name="trainee", exact=True).click()
    page.get_by_role("heading", name="trainee").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Reflection on First steps").click()
    page.get_by_test_id("reflection-text").wait_for()
    assert "explain myself" in page.get_by_test_id("reflection-text").inner_text()
    assert_accessible(page)
    page.locator('input[name="score-0"][value="2"]').check()
    page.locator('input[name="score-1"][value="1"]').check()
    page.get_by_label("Comment for the trainee").fill("You noticed the pull to defend: good.")
    page.get_by_role("button", name="Save score").click()
    page.get_by_text("Score and comment saved").wait_for()

    reflection = Reflection.objects.get(author=trainee)
    assert reflection.rubric_scores == {"Names the marker": 2, "Stays non-defensive": 1}
    assert reflection.instructor_comment == "You noticed the pull to defend: good."
    assert ReflectionAccess.objects.filter(reflection=reflection, viewer=instructor).count() == 1

    page.goto(f"/instructor/cohorts/{cohort.pk}/?risk=at_risk")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:4] == ["user_id", "username", "name", "last_activity"]
    assert [r[1] for r in rows[1:]] == ["trainee"]
