import pytest
from django.utils import timezone

from quizzes.reminders.models import Notification
from quizzes.review.models import ReviewCard, ReviewLog
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from tests.quizzes.reviewing import SKILL, build_review_course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_trainee_sees_reviews_due_plays_one_and_reads_feedback(page, trainee, course_with_lessons, assert_accessible):
    build_review_course(course_with_lessons)
    now = timezone.now()
    ReviewCard.objects.create(
        user=trainee, course=course_with_lessons, kind=ReviewCard.SKILL, skill=SKILL, due=now, created_at=now
    )
    Notification.objects.create(user=trainee, title="1 review waiting for you", body="1 due", created_at=now)
    log_in(page, "trainee", PASSWORD)
    page.goto(f"/courses/{course_with_lessons.slug}/")
    assert page.get_by_test_id("reviews-due").inner_text() == "1 review due"
    assert_accessible(page)

    page.get_by_role("link", name="Start review").click()
    page.get_by_role("heading", name="Review").wait_for()
    assert_accessible(page)
    page.get_by_label("“Can we pause on how last week landed?”").check()
    page.get_by_label("3 · fairly sure").check()
    page.get_by_role("button", name="Answer").click()
    assert page.get_by_test_id("rating").inner_text() == "right"
    assert_accessible(page)
    assert ReviewLog.objects.get().grade == 3

    page.goto("/quizzes/notifications/")
    assert page.get_by_test_id("unread").inner_text() == "1 unread"
    assert_accessible(page)
    page.get_by_role("button", name="Mark as read").click()
    assert page.get_by_test_id("unread").inner_text() == "0 unread"

    page.goto("/quizzes/reminders/preferences/")
    assert_accessible(page)
    page.get_by_label("Time zone", exact=True).select_option("Europe/London")
    page.get_by_label("From", exact=True).fill("22:00")
    page.get_by_label("to", exact=True).fill("")
    page.get_by_role("button", name="Save").click()
    error = page.get_by_test_id("error").inner_text()
    assert "Quiet hours to: give both ends" in error and "quiet_end" not in error  # the field in words
    assert_accessible(page)
    page.get_by_label("to", exact=True).fill("07:00")
    page.get_by_role("button", name="Save").click()
    assert "London, United Kingdom" in page.get_by_test_id("zone-now").inner_text()
