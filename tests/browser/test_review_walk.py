"""A due review from the home page, on a phone: play it, undo it, play it again, then practise
ahead once nothing is due (unscored)."""

import pytest
from django.utils import timezone

from quizzes.review.models import ReviewCard, ReviewLog
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from tests.quizzes.reviewing import SKILL, build_review_course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FSRS = ("state", "step", "stability", "difficulty", "due", "last_review", "last_item_id", "reps")


def fsrs_fields(card):
    card.refresh_from_db()
    return {name: getattr(card, name) for name in FSRS}


def test_a_due_review_from_the_home_page_with_undo_and_practice_ahead(
    page, trainee, course_with_lessons, assert_accessible
):
    build_review_course(course_with_lessons)
    now = timezone.now()
    card = ReviewCard.objects.create(
        user=trainee, course=course_with_lessons, kind=ReviewCard.SKILL, skill=SKILL, due=now, created_at=now
    )
    before = fsrs_fields(card)
    log_in(page, "trainee", PASSWORD)
    home = page.get_by_test_id("home-reviews")
    assert home.get_by_role("heading").inner_text() == "1 review due"
    assert home.get_by_test_id("review-forecast").is_visible()
    home.get_by_role("link", name="Start review").click()
    page.get_by_role("heading", name="Review", exact=True).wait_for()
    page.get_by_label("“We agreed you would do the work.”").check()  # a slip: the harmful reply
    page.get_by_label("3 · fairly sure").check()
    page.get_by_role("button", name="Answer").click()
    assert page.get_by_test_id("rating").inner_text() == "harmful"
    assert_accessible(page)
    assert fsrs_fields(card) != before

    page.get_by_role("button", name="Undo this review").click()
    page.get_by_text("Review undone").wait_for()
    assert fsrs_fields(card) == before and not ReviewLog.objects.exists()
    assert page.get_by_test_id("due-left").inner_text().startswith("1 due")  # the same card, due again
    page.get_by_label("“Can we pause on how last week landed?”").check()
    page.get_by_label("3 · fairly sure").check()
    page.get_by_role("button", name="Answer").click()
    assert page.get_by_test_id("rating").inner_text() == "right"
    scheduled = fsrs_fields(card)
    assert ReviewLog.objects.count() == 1 and scheduled["reps"] == 1

    page.get_by_role("link", name="All done: see your skills").wait_for()
    page.goto("/quizzes/review/")
    assert page.get_by_test_id("nothing-due").is_visible() and page.get_by_test_id("review-forecast").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Practise ahead (not scored)").click()
    assert page.get_by_test_id("unscored").is_visible()
    page.locator(".reply-options input[name=option]").first.check()
    page.get_by_role("button", name="Check my answer").click()
    page.get_by_role("heading", name="Practice feedback").wait_for()
    assert_accessible(page)
    assert fsrs_fields(card) == scheduled and ReviewLog.objects.count() == 1  # unscored: nothing moved
    fits = page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert fits
