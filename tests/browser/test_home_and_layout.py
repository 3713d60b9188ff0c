"""A newcomer follows only the home page to a first answered scenario; phone-first steps; no
sideways scroll; axe light and dark; a focus ring at 3:1 or more."""

import os
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from course.models import Cohort, Module
from quizzes.models import Attempt, Reflection
from quizzes.review import selectors as review_selectors
from quizzes.review import services as review_services
from quizzes.review.models import ReviewCard, ReviewLog
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD, UserFactory, enroll
from tests.quizzes.instructor.conftest import GOOD, HARMFUL, play, quiz  # noqa: F401 - the quiz fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("ATTUNE_SCREENSHOTS")  # a folder: save what a trainee and an instructor see first


@pytest.fixture
def newcomer(db):
    call_command("import_course", verbosity=0)
    module = Module.objects.get(slug="m1-evidence")
    cohort = Cohort.objects.create(course=module.course, name="Newcomers", start_date="2026-09-01")
    return enroll(UserFactory(username="newcomer"), cohort)


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


def test_a_newcomer_reaches_a_first_answered_scenario_by_following_the_home_page(page, newcomer, assert_accessible):
    log_in(page, "newcomer", PASSWORD)
    page.get_by_test_id("welcome").wait_for()
    shot(page, "trainee-first")
    assert page.get_by_text("Practise.", exact=True).is_visible()
    start = page.get_by_test_id("next-lesson").bounding_box()
    assert start["y"] + start["height"] <= 844, start  # the first step is on the first phone screen
    assert_accessible(page)
    actions = 0
    page.get_by_test_id("next-lesson").click()
    actions += 1
    # Each lesson offers "Mark complete and go on"; the module's last one leads to its quiz.
    for _ in range(40):
        if "#quiz-title" in page.url:
            break
        page.get_by_role("button", name="Mark complete and go on").click()
        actions += 1
        page.wait_for_load_state()
    assert "#quiz-title" in page.url, page.url
    # Each click loads a new page: wait for it, so the next look (and the key press below, which
    # answer.js handles) meets the new page with its script run, not the one it replaces.
    with page.expect_navigation():
        page.get_by_role("button", name="Start quiz").click()
    actions += 1
    if page.locator("textarea[name=text]").count():
        page.locator("textarea[name=text]").fill("It sounds like this matters to you. Tell me more?")
        with page.expect_navigation():
            page.get_by_role("button", name="Save my reply and see the options").click()
        actions += 2
    first = page.locator(".reply-options input[name=option]").first
    box = page.locator(".reply-options .option").first.bounding_box()
    assert box["y"] + box["height"] <= 844, box  # the first option is on the first phone screen
    page.keyboard.press("1")  # keys 1-4 choose an option
    assert first.is_checked()
    page.locator("#confidence-3").check()
    page.get_by_role("button", name="Answer").click()
    actions += 3
    page.get_by_test_id("grade").wait_for()
    assert Attempt.objects.get(user=newcomer).answers.count() == 1
    # focus lands on the new content
    assert page.evaluate("document.activeElement.id") == "feedback-title"
    print(f"\nnewcomer actions from login to a first answer: {actions}")


def test_every_step_of_module_ones_quiz_shows_its_first_option_on_the_first_phone_screen(page, newcomer):
    """The shipped course's longest vignettes and options: each step, each item, at 390 x 844."""
    from course.services import lesson_complete

    module = Module.objects.get(slug="m1-evidence")
    for lesson in module.lessons.all():
        lesson_complete(newcomer, lesson)
    log_in(page, "newcomer", PASSWORD)
    page.goto(reverse("course:module", args=[module.course.slug, module.slug]))
    page.get_by_role("button", name="Start quiz").click()
    lowest = []
    for _ in range(12):
        if page.locator("textarea[name=text]").count():
            page.locator("textarea[name=text]").fill("What is it like to say that to me?")
            page.get_by_role("button", name="Save my reply and see the options").click()
        box = page.locator(".reply-options .option").first.bounding_box()
        lowest.append(round(box["y"] + box["height"]))
        page.locator(".reply-options input[name=option]").first.check()
        page.locator("#confidence-3").check()
        page.get_by_role("button", name="Answer").click()
        page.get_by_test_id("grade").wait_for()
        onward = page.get_by_role("link", name="Respond").or_(page.get_by_role("link", name="Next client"))
        if onward.count() == 0:
            break
        onward.first.click()
    assert page.get_by_role("link", name="See your results").count() == 1
    assert len(lowest) >= 3 and max(lowest) <= 844, lowest
    print(f"\nbottom of the first option on each step (px of 844): {lowest}")


def test_a_later_step_keeps_the_first_option_on_the_first_phone_screen(page, cohort, quiz, trainee):  # noqa: F811
    log_in(page, "trainee", PASSWORD)
    page.goto(reverse("course:module", args=[quiz.module.course.slug, quiz.module.slug]))
    with page.expect_navigation():  # look at the step's page, not the module page it replaces
        page.get_by_role("button", name="Start quiz").click()
    for _ in range(3):
        if page.locator(".reply-options").count() == 0:
            break
        box = page.locator(".reply-options .option").first.bounding_box()
        assert box["y"] + box["height"] <= 844, box
        expect(page.locator("#client-now")).to_be_focused()  # the page's script moves focus there
        page.locator(".reply-options input[name=option]").first.check()
        page.locator("#confidence-3").check()
        page.get_by_role("button", name="Answer").click()
        page.get_by_test_id("grade").wait_for()
        link = page.get_by_role("link", name="Respond").or_(page.get_by_role("link", name="Next client"))
        if link.count() == 0:
            break
        with page.expect_navigation():
            link.first.click()


@pytest.fixture
def class_with_history(cohort, quiz, trainee, instructor):  # noqa: F811
    play(trainee, quiz, HARMFUL)
    play(trainee, quiz, HARMFUL, reflection="I wanted to explain myself instead of listening.", shared=True)
    play(enroll(UserFactory(username="steady", first_name="Steady"), cohort), quiz, GOOD)
    # one spaced review, so its feedback page (with undo) and practice ahead have something to show
    card = ReviewCard.objects.filter(user=trainee, kind=ReviewCard.SKILL).first()
    ReviewCard.objects.filter(user=trainee).update(due=timezone.now() - timedelta(minutes=5))
    card.refresh_from_db()
    prompt = review_selectors.prompt_for(card)
    review_services.review_submit(trainee, card.pk, prompt.key, prompt.options[0]["id"], 3, 12, uuid.uuid4())
    ReviewCard.objects.filter(user=trainee).update(due=timezone.now() + timedelta(days=2))
    return cohort


def trainee_pages(quiz):  # noqa: F811
    course, module = quiz.module.course.slug, quiz.module.slug
    attempt = Attempt.objects.filter(quiz=quiz, user__username="trainee").first()
    tomas = quiz.items.get(slug="tomas")  # a branching item the trainee has finished
    return [
        reverse("course:my_courses"),
        reverse("course:course", args=[course]),
        reverse("course:module", args=[course, module]),
        reverse("course:lesson", args=[course, quiz.module.lessons.first().slug]),
        reverse("quizzes:result", args=[attempt.pk]),
        reverse("review:session"),
        reverse("review:feedback", args=[ReviewLog.objects.filter(user__username="trainee").last().client_id]),
        reverse("review:ahead"),
        reverse("review:mastery"),
        reverse("quizzes:session_replay", args=[tomas.pk]) + "?path=a",
        reverse("quizzes:session_replay", args=[tomas.pk]) + "?path=c",
        reverse("reminders:notifications"),
        reverse("reminders:preferences"),
        reverse("password_change"),
        reverse("password_reset"),
        reverse("course:account_data"),
    ]


def instructor_pages(cohort, quiz, trainee):  # noqa: F811
    reflection = Reflection.objects.filter(shared=True).first()
    name = "quizzes_instructor:"
    return [
        reverse(name + "cohorts"),
        reverse(name + "dashboard", args=[cohort.pk]),
        reverse(name + "charts", args=[cohort.pk]),
        reverse(name + "trainee", args=[cohort.pk, trainee.pk]),
        reverse(name + "reflection", args=[cohort.pk, reflection.pk]),
        reverse(name + "quizzes", args=[cohort.pk]),
        reverse(name + "item_analysis", args=[cohort.pk, quiz.pk]),
    ]


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def contrast(page, selector):
    """The contrast of the focus outline against what is behind the focused element."""
    return page.evaluate(
        """(sel) => {
      const el = document.querySelector(sel); el.focus();
      const lum = (c) => { const m = c.match(/[\\d.]+/g).map(Number).slice(0, 3).map(v => v / 255)
        .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
        return 0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2]; };
      let bg = el.parentElement, colour = 'rgba(0, 0, 0, 0)';
      while (bg) {
        colour = getComputedStyle(bg).backgroundColor;
        if (!/rgba\\(.*, 0\\)$/.test(colour)) break;
        bg = bg.parentElement;
      }
      const ring = getComputedStyle(el).outlineColor;
      const [a, b] = [lum(ring), lum(colour)].sort((x, y) => y - x);
      return (a + 0.05) / (b + 0.05);
    }""",
        selector,
    )


def test_pages_fit_the_width_and_pass_axe_light_and_dark_with_a_visible_focus(
    browser,
    live_server,
    class_with_history,
    quiz,  # noqa: F811 - the fixture imported above
    trainee,
    instructor,
    assert_accessible,  # noqa: F811
):
    cohort = class_with_history
    checks = [("trainee", trainee_pages(quiz)), ("instructor", instructor_pages(cohort, quiz, trainee))]
    too_wide = []
    for width, height in ((390, 844), (1280, 800), (640, 400)):  # 640 CSS px: a 1,280 px window at 200% zoom
        for scheme in ("light", "dark"):
            for username, urls in checks:
                context = browser.new_context(
                    base_url=live_server.url, viewport={"width": width, "height": height}, color_scheme=scheme
                )
                page = context.new_page()
                page.set_default_timeout(10_000)
                log_in(page, username, PASSWORD)
                for url in urls:
                    response = page.goto(url)
                    assert response.status == 200, url
                    if not fits(page):
                        too_wide.append((width, scheme, url, page.evaluate("document.documentElement.scrollWidth")))
                    if width == 1280:
                        assert_accessible(page)
                        if url in (reverse("course:my_courses"), reverse("quizzes_instructor:cohorts")):
                            if username == "instructor" and scheme == "light":
                                shot(page, "instructor-first")
                            for selector in ("main a", ".site-header a.brand"):
                                ratio = contrast(page, selector)
                                assert ratio >= 3, (scheme, url, selector, ratio)
                        if url == reverse("reminders:preferences"):  # buttons and form controls too
                            for selector in ("main select", "main input[type=time]", "main button.button"):
                                ratio = contrast(page, selector)
                                assert ratio >= 3, (scheme, url, selector, ratio)
                context.close()
    assert not too_wide, too_wide
