"""The three worked items of CONTENT.md, played to the end in a real browser."""

import pytest
from django.core.management import call_command

from course.models import Cohort, Lesson, Module
from course.services import lesson_complete, module_result_record
from quizzes import grading
from quizzes.models import Item, Reflection
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD, UserFactory, enroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORKED = {
    "m4-noticing-ruptures": "m4-withdrawal-priya",
    "m5-repairing-ruptures": "m5-confrontation-tomas",
    "m6-here-and-now": "m6-immediacy-mira",
}


@pytest.fixture
def shipped_trainee(db):
    """A trainee with modules 1-6 open, whose quizzes hold only the worked items."""
    call_command("import_course", verbosity=0)
    module = Module.objects.get(slug="m1-evidence")
    cohort = Cohort.objects.create(course=module.course, name="Worked examples", start_date="2026-09-01")
    trainee = enroll(UserFactory(username="learner"), cohort)
    for lesson in Lesson.objects.filter(module__order__lte=6):
        lesson_complete(trainee, lesson)
    for module in Module.objects.filter(order__lte=5, quiz_required=True):
        module_result_record(trainee, module, 1.0, True)
    Item.objects.filter(quiz__module__slug__in=WORKED).exclude(slug__in=WORKED.values()).update(is_active=False)
    return trainee


def best_text(slug, path=""):
    return grading.best_option(grading.step_at(Item.objects.get(slug=slug).steps, path))["text"]


def choose(page, text, confidence="3"):
    page.get_by_label(f"“{text}”").check()
    page.locator(f"#confidence-{confidence}").check()
    page.get_by_role("button", name="Answer").click()


def start_quiz(page, module_slug):
    page.goto(f"/courses/therapeutic-relationship/modules/{module_slug}/")
    page.get_by_role("button", name="Start quiz").click()


def test_the_three_worked_items_play_to_the_end(page, shipped_trainee, assert_accessible):
    log_in(page, "learner", PASSWORD)

    # Priya's item (now Cerys): write first, then the best reply opens a branch step with the client's next line.
    start_quiz(page, "m4-noticing-ruptures")
    page.get_by_text("Oh, yes, you were probably right about that.").wait_for()
    assert page.locator("input[name=option]").count() == 0
    assert_accessible(page)
    page.get_by_label("First, in your own words").fill("I wonder how what I said last week sat with you.")
    page.reload()  # a lost page keeps what was typed
    assert page.get_by_label("First, in your own words").input_value().startswith("I wonder how what I said")
    page.get_by_role("button", name="Save my reply and see the options").click()
    assert page.locator("input[name=option]").count() == 4
    assert_accessible(page)
    choose(page, best_text("m4-withdrawal-priya"), confidence="4")
    assert page.get_by_test_id("grade").inner_text() == "best"
    assert "It stung a bit, if I'm honest" in page.content()
    assert_accessible(page)
    page.get_by_role("link", name="Respond").click()
    page.get_by_text("It stung a bit, if I'm honest").first.wait_for()
    choose(page, best_text("m4-withdrawal-priya", "c"))
    page.get_by_role("link", name="See your results").click()
    assert page.get_by_test_id("score").inner_text() == "100%"
    assert page.get_by_test_id("outcome").inner_text() == "passed"
    assert_accessible(page)
    page.get_by_label("Your reflection").fill("I notice I want to defend what I said rather than hear her.")
    page.get_by_label("Share with my instructors").check()
    page.get_by_role("button", name="Save reflection").click()
    assert "shared with your instructors" in page.get_by_test_id("reflection-status").inner_text()
    assert Reflection.objects.get(author=shipped_trainee).shared

    # Tomas's item (now Kieran): a harmful pick gets a clear, kind explanation and the best reply.
    start_quiz(page, "m5-repairing-ruptures")
    tomas = Item.objects.get(slug="m5-confrontation-tomas").steps
    harmful = next(o for o in tomas["options"] if o["grade"] == 0)
    choose(page, harmful["text"])
    assert page.get_by_test_id("grade").inner_text() == "harmful"
    assert "This reply could hurt the relationship" in page.content()
    assert best_text("m5-confrontation-tomas") in page.content()
    page.get_by_role("link", name="See your results").click()
    assert page.get_by_test_id("outcome").inner_text() == "not passed"

    # Mira's item (now Halima): write first, then choose.
    start_quiz(page, "m6-here-and-now")
    page.get_by_label("First, in your own words").fill("I mentioned my break. I wonder if that is part of this.")
    page.get_by_role("button", name="Save my reply and see the options").click()
    choose(page, best_text("m6-immediacy-mira"))
    assert page.get_by_test_id("grade").inner_text() == "best"
    page.get_by_role("link", name="See your results").click()
    assert page.get_by_test_id("outcome").inner_text() == "passed"
    assert "You wrote:" in page.content()
