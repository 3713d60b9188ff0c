import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from course.models import Module
from course.package import PackageError
from course.services import course_import
from quizzes.models import Item, Quiz
from quizzes.review.models import Fact

pytestmark = pytest.mark.django_db

ITEM = """id: basics-rupture
version: 1
skill: rupture.withdrawal.notice
difficulty: intermediate
write_first: true
vignette: Priya, 34, low since being made redundant.
client_statement: "Yeah, the plan was fine."
options:
  - id: a
    text: "Can we stay here a second?"
    grade: 3
    rationale: Names the marker.
    dimensions: {rupture_repair: shows}
    next:
      client_reply: "It felt like I was your project."
      options:
        - {id: a, text: "Say more about project?", grade: 3, rationale: Welcomes it.}
        - {id: b, text: "Let's redo the plan.", grade: 0, rationale: Skips the feeling.}
  - {id: b, text: "What got in the way?", grade: 2, rationale: Kind but compliant.}
  - {id: c, text: "We agreed on this.", grade: 0, rationale: Pressure adds shame.}
"""
QUIZ_MODULE = (
    "id: basics\ntitle: Basics\norder: 1\nquiz:\n  pass_threshold: 0.8\n  harmful_fails: false\n"
    "  reflection:\n    prompt: What did you notice?\n    rubric: [Names the marker]\n    exemplar: I noticed.\n"
)
FACTS = """- id: alliance-r
  module: basics
  question: "Alliance-outcome correlation?"
  options:
    - {id: a, text: "About .28", correct: true}
    - {id: b, text: "About .58", correct: false}
  explanation: Fluckiger et al. (2018).
"""


def package(make_package, name="pkg", **changes):
    files = {
        "modules/01-basics/module.yaml": QUIZ_MODULE,
        "modules/01-basics/items/rupture.yaml": ITEM,
        "facts.yaml": FACTS,
    }
    files.update(changes)
    return make_package(files, name=name)


def test_items_quiz_and_facts_are_imported(make_package):
    course_import(package(make_package))
    quiz = Quiz.objects.get(module__slug="basics")
    assert (quiz.pass_threshold, quiz.harmful_fails, quiz.reflection_rubric) == (0.8, False, ["Names the marker"])
    item = Item.objects.get(slug="basics-rupture")
    assert item.quiz == quiz and item.write_first and item.isomorph_group == "rupture.withdrawal.notice"
    assert item.steps["options"][0]["next"]["client_reply"] == "It felt like I was your project."
    assert item.steps["options"][0]["dimensions"] == {"rupture_repair": "shows"}
    assert Module.objects.get(slug="basics").quiz_required
    assert not Module.objects.get(slug="next").quiz_required
    assert Fact.objects.get(slug="alliance-r").options[0]["correct"] is True


def test_reimport_changes_nothing(make_package):
    path = package(make_package)
    course_import(path)
    assert not course_import(path).changed


def test_changed_options_need_a_new_version(make_package):
    course_import(package(make_package))
    edited = ITEM.replace("Pressure adds shame.", "Pressure adds shame and fear.")
    with pytest.raises(PackageError, match="bump it"):
        course_import(package(make_package, name="edited", **{"modules/01-basics/items/rupture.yaml": edited}))
    assert "fear" not in str(Item.objects.get().steps)
    course_import(
        package(
            make_package,
            name="bumped",
            **{"modules/01-basics/items/rupture.yaml": edited.replace("version: 1", "version: 2")},
        )
    )
    assert Item.objects.get().version == 2


def test_removed_item_is_archived(make_package):
    course_import(package(make_package))
    report = course_import(package(make_package, name="smaller", **{"modules/01-basics/items/rupture.yaml": None}))
    assert "item basics-rupture" in report.removed
    assert Item.objects.get().is_active is False
    assert not Module.objects.get(slug="basics").quiz_required


BROKEN = {
    "two best options": (ITEM.replace("grade: 2", "grade: 3"), "options: needs exactly one best option (grade 3)"),
    "unknown skill": (ITEM.replace("rupture.withdrawal.notice", "vibes"), "skill: unknown skill 'vibes'"),
    "bad grade": (ITEM.replace("grade: 2", "grade: 7"), "options[1].grade: must be 0, 1, 2 or 3"),
    "unknown dimension": (
        ITEM.replace("{rupture_repair: shows}", "{charm: shows}"),
        "options[0].dimensions: item basics-rupture, option a: unknown dimension 'charm'",
    ),
    "tags without a polarity": (
        ITEM.replace("{rupture_repair: shows}", "[rupture_repair]"),
        "options[0].dimensions: item basics-rupture, option a: tags rupture_repair without a polarity",
    ),
    "a polarity that is neither": (
        ITEM.replace("{rupture_repair: shows}", "{rupture_repair: helps}"),
        "options[0].dimensions.rupture_repair: item basics-rupture, option a: dimension 'rupture_repair' needs a "
        "polarity, shows or breaks, not 'helps'",
    ),
    "missing statement": (
        ITEM.replace('client_statement: "Yeah, the plan was fine."\n', ""),
        "client_statement: is required",
    ),
    "branch without reply": (
        ITEM.replace('      client_reply: "It felt like I was your project."\n', ""),
        "options[0].next.client_reply: is required",
    ),
    "unknown field": (ITEM + "mood: sad\n", "mood: is not a field of a scenario item"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_item_names_file_and_field_and_imports_nothing(make_package, case):
    text, expected = BROKEN[case]
    with pytest.raises(CommandError) as excinfo:
        call_command("import_course", str(package(make_package, **{"modules/01-basics/items/rupture.yaml": text})))
    assert "modules/01-basics/items/rupture.yaml" in str(excinfo.value)
    assert expected in str(excinfo.value)
    assert not Item.objects.exists() and not Quiz.objects.exists()


def test_fact_needs_exactly_one_correct_option(make_package):
    broken = FACTS.replace("correct: false", "correct: true")
    with pytest.raises(PackageError, match="needs exactly one correct option, has 2"):
        course_import(package(make_package, **{"facts.yaml": broken}))


def test_an_open_attempt_at_a_vanished_branch_moves_on_after_the_rewrite(make_package):
    from quizzes import selectors, services
    from quizzes.models import Attempt
    from tests.conftest import UserFactory

    course_import(package(make_package))
    trainee = UserFactory()
    attempt, _ = services.attempt_start(trainee, Quiz.objects.get())
    services.attempt_write_reply(attempt, "basics-rupture", "What happened?")
    services.attempt_answer(attempt, "basics-rupture", "", "a", 3)
    without_branch = (
        ITEM.replace("version: 1", "version: 2").split("    next:")[0] + ITEM.split("Skips the feeling.}\n")[1]
    )
    report = course_import(package(make_package, name="v2", **{"modules/01-basics/items/rupture.yaml": without_branch}))
    assert any("1 open attempt(s) moved past a step" in line for line in report.updated)
    attempt = Attempt.objects.get(pk=attempt.pk)
    assert attempt.status == Attempt.COMPLETED and attempt.score == 1.0
    assert selectors.current_step(attempt).phase == "done"
