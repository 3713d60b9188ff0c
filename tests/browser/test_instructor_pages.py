"""The instructor's side on the shipped course: every page fits at 390 px, 1,280 px and 200% zoom
and passes axe; the oldest shared reflection is scored from the queue and the trainee then sees it."""

import os
from pathlib import Path

import pytest

from quizzes.models import Reflection
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD, UserFactory, enroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("ATTUNE_SCREENSHOTS")  # a folder for screenshots of the instructor's pages


@pytest.fixture
def instructor(db):
    """Teaches only the shipped course's cohort (the shared fixture's teaches a test course too)."""
    return UserFactory(username="instructor")


# ---------------------------------------------------------------- the shipped course, a real-sized class

LONG_NAMES = [
    ("Maximiliana", "Featherstonehaugh-Oyelaran"),
    ("Bartholomew", "Wolfeschlegelsteinhausen"),
    ("Ngozi", "Adebayo-Richardson"),
    ("Siobhán", "Ní Mhaolchatha"),
    ("Kai", "Li"),
    ("Oluwaseun", "Montgomery-Castellanos"),
]


def play_real(user, quiz, best: bool):
    """Play the shipped quiz through the services: the best (or the weakest) option at every step."""
    from quizzes import grading, services
    from quizzes.models import Item

    attempt, _ = services.attempt_start(user, quiz)
    while attempt.is_open:
        item = Item.objects.get(pk=attempt.item_ids[attempt.position])
        if item.write_first and not attempt.step_path:
            services.attempt_write_reply(attempt, item.slug, "I can hear how much this matters to you.")
        step = grading.step_at(item.steps, attempt.step_path)
        options = sorted(step["options"], key=lambda o: o["grade"])
        services.attempt_answer(attempt, item.slug, attempt.step_path, (options[-1] if best else options[0])["id"], 3)
        attempt.refresh_from_db()
    return attempt


@pytest.fixture
def shipped_class(db, instructor):
    """The shipped course with a cohort of six long-named trainees who played module 1's quiz; four
    shared a reflection, written 8, 6, 4 and 2 days ago (the oldest is Maximiliana's)."""
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from course.models import Cohort
    from quizzes import services
    from quizzes.models import Quiz

    call_command("import_course", verbosity=0)
    quiz = Quiz.objects.get(module__slug="m1-evidence")
    cohort = Cohort.objects.create(course=quiz.module.course, name="Spring intake", start_date="2026-09-01")
    cohort.instructors.add(instructor)
    people = []
    for index, (first, last) in enumerate(LONG_NAMES):
        user = enroll(UserFactory(username=f"{first.lower()}{index}", first_name=first, last_name=last), cohort)
        attempt = play_real(user, quiz, best=index % 2 == 1)
        if index < 4:
            services.reflection_save(attempt, f"Reflection number {index}: I noticed I wanted to defend.", True)
            Reflection.objects.filter(attempt=attempt).update(created_at=timezone.now() - timedelta(days=8 - 2 * index))
        people.append(user)
    return cohort, quiz, people


# What sticks out past the window's right edge (outside a scroll box), to name it when a page is too wide.
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
    && !e.closest('.table-scroll'))
  .slice(0, 5).map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`)"""


def scroll_free(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_instructor_pages_fit_at_phone_laptop_and_200_percent_zoom_and_pass_axe(
    browser, live_server, shipped_class, instructor, assert_accessible
):
    from django.urls import reverse

    cohort, quiz, people = shipped_class
    reflection = Reflection.objects.filter(shared=True).order_by("created_at").first()
    name = "quizzes_instructor:"
    urls = [
        reverse(name + "cohorts"),
        reverse(name + "dashboard", args=[cohort.pk]),
        reverse(name + "reflections", args=[cohort.pk]),
        reverse(name + "reflection", args=[cohort.pk, reflection.pk]),
        reverse(name + "trainee", args=[cohort.pk, people[0].pk]),
        reverse(name + "charts", args=[cohort.pk]),
        reverse(name + "quizzes", args=[cohort.pk]),
        reverse(name + "item_analysis", args=[cohort.pk, quiz.pk]),
    ]
    too_wide = []
    # 640 x 400 CSS px is a 1,280 x 800 window at 200% zoom.
    for width, height in ((390, 844), (1280, 800), (640, 400)):
        for scheme in ("light", "dark") if width == 1280 else ("light",):
            context = browser.new_context(
                base_url=live_server.url, viewport={"width": width, "height": height}, color_scheme=scheme
            )
            page = context.new_page()
            page.set_default_timeout(10_000)
            log_in(page, "instructor", PASSWORD)
            for url in urls:
                assert page.goto(url).status == 200, url
                if not scroll_free(page):
                    too_wide.append((width, scheme, url, page.evaluate(WIDEST)))
                if width == 1280:
                    assert_accessible(page)
                if url == urls[1] and width == 390:  # the folded filters leave the grid on the first screen
                    top = page.get_by_test_id("grid").evaluate("e => e.getBoundingClientRect().top")
                    assert top < height, top
            if SHOTS and width == 390:
                for index, label in ((1, "dashboard-phone"), (4, "trainee-phone")):
                    page.goto(urls[index])
                    Path(SHOTS).mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(Path(SHOTS) / f"instructor-{label}.png"), full_page=False)
            if SHOTS and width == 1280 and scheme == "light":  # what an instructor sees first, for the notes
                for index, label in ((0, "first"), (1, "dashboard"), (2, "queue"), (4, "trainee"), (5, "charts")):
                    page.goto(urls[index])
                    Path(SHOTS).mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(Path(SHOTS) / f"instructor-{label}.png"), full_page=index == 5)
            context.close()
    assert not too_wide, too_wide


def test_an_instructor_scores_the_oldest_reflection_from_the_queue_and_the_trainee_sees_it(
    browser, live_server, shipped_class, instructor, assert_accessible
):
    cohort, quiz, people = shipped_class
    oldest = Reflection.objects.get(author=people[0])
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, "instructor", PASSWORD)
    page.get_by_role("link", name="Teaching").click()
    page.get_by_role("link", name="4 reflections waiting for a score").click()
    assert page.get_by_test_id("queue-count").inner_text().startswith("4 waiting")
    first_row = page.get_by_test_id("queue-row").first
    assert "Maximiliana Featherstonehaugh-Oyelaran" in first_row.inner_text()
    page.get_by_role("link", name="Score the oldest waiting").click()
    assert "Reflection number 0" in page.get_by_test_id("reflection-text").inner_text()
    rubric = quiz.reflection_rubric
    for index in range(len(rubric)):
        page.locator(f'input[name="score-{index}"][value="{2 if index % 2 == 0 else 1}"]').check()
    page.get_by_label("Comment for the trainee").fill("You caught the pull to defend and named it.")
    page.get_by_role("button", name="Save score and open the next").click()
    page.get_by_text("This is the next one waiting.").wait_for()
    assert "Reflection number 1" in page.get_by_test_id("reflection-text").inner_text()
    oldest.refresh_from_db()
    assert oldest.scored_at is not None and oldest.instructor_comment.startswith("You caught")
    context.close()

    total = sum(2 if i % 2 == 0 else 1 for i in range(len(rubric)))
    trainee_context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = trainee_context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, people[0].username, PASSWORD)
    page.goto("/quizzes/notifications/")
    page.get_by_role("link", name="Open").first.click()
    page.wait_for_url("**/result/#reflection")
    response = page.get_by_test_id("instructor-response")
    response.wait_for()
    assert page.get_by_test_id("reflection-score").inner_text() == f"Score: {total} of {2 * len(rubric)}"
    assert "You caught the pull to defend" in response.inner_text()
    assert rubric[0] in page.get_by_test_id("reflection-rubric").inner_text()
    # The link lands on the reflection's section, not the top of the results page.
    top = page.evaluate("document.getElementById('reflection').getBoundingClientRect().top")
    assert 0 <= top < 100 and page.evaluate("window.scrollY") > 0
    assert scroll_free(page)
    assert_accessible(page)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / "trainee-sees-the-score.png"), full_page=False)
    trainee_context.close()
