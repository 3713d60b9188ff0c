"""The keying rules of validate_course, each caught on a small package broken in one place."""

from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from quizzes import cues
from quizzes.validation import MAX_CUE_GAP, MAX_LENGTH_RATIO, best_is_longest, polarity_problems, step_problems
from tests.conftest import (
    VALID_LESSON_PARAGRAPH,
    valid_branch_item,
    valid_course_files,
    valid_item,
    valid_lesson,
    valid_option,
)

ITEMS = "modules/01-basics/items"
PRIYA, TOMAS, ADA = f"{ITEMS}/m1-priya.yaml", f"{ITEMS}/m1-tomas.yaml", f"{ITEMS}/m1-ada.yaml"
MODULE = "modules/01-basics/module.yaml"
LESSON = "modules/01-basics/lessons/01-first.md"


def validate(path) -> tuple[list[str], str | None]:
    """The command's output lines and its error (None when it passed)."""
    out = StringIO()
    try:
        call_command("validate_course", str(path), stdout=out)
    except CommandError as exc:
        return out.getvalue().splitlines(), str(exc)
    return out.getvalue().splitlines(), None


def problem_lines(lines: list[str]) -> list[str]:
    return [line for line in lines if not line.startswith("Summary:") and line != "OK"]


def test_valid_package_passes_and_counts(make_valid_package):
    lines, error = validate(make_valid_package())
    assert error is None
    assert lines[-1] == "OK"
    assert problem_lines(lines) == []
    assert lines[-2].startswith(
        "Summary: 1 modules, 1 lessons, 364 words, 3 items, 1 skills, 1 branch items, 1 write-first items, "
        "4 steps, 0 best-is-longest steps, "
    )
    assert lines[-2].endswith(", 1 facts")


def test_two_best_options_in_a_step_are_caught_with_file_and_item(make_valid_package):
    item = valid_item("m1-priya", write_first=True)
    item["options"][0]["grade"] = 3
    lines, error = validate(make_valid_package({PRIYA: item}))
    assert error and "cannot be read" in error
    [line] = problem_lines(lines)
    assert line.startswith(PRIYA) and "[id m1-priya]" in line
    assert "needs exactly one best option (grade 3), has 2" in line


def test_step_without_a_harmful_option_is_caught(make_valid_package):
    item = valid_item("m1-ada", "Ada, 71")
    item["options"][2]["grade"] = 1
    lines, error = validate(make_valid_package({ADA: item}))
    assert error.startswith("1 problem(s) in ")
    assert problem_lines(lines) == [
        f"{ADA}: options: item m1-ada, first step: needs at least one harmful option (grade 0), has none"
    ]


def test_branch_step_without_a_harmful_option_names_the_step_path(make_valid_package):
    item = valid_branch_item("m1-tomas")
    item["options"][1]["next"]["options"][1]["grade"] = 1
    lines, error = validate(make_valid_package({TOMAS: item}))
    assert error
    assert problem_lines(lines) == [
        f"{TOMAS}: options: item m1-tomas, step b: needs at least one harmful option (grade 0), has none"
    ]


@pytest.mark.parametrize("rationale", [None, "   "])
def test_option_without_a_rationale_is_caught(make_valid_package, rationale):
    item = valid_item("m1-priya", write_first=True)
    if rationale is None:
        del item["options"][3]["rationale"]
    else:
        item["options"][3]["rationale"] = rationale
    lines, error = validate(make_valid_package({PRIYA: item}))
    assert error
    assert problem_lines(lines) == [f"{PRIYA}: options: item m1-priya, first step: option d has no rationale"]


def test_unknown_skill_is_caught_with_file_and_item(make_valid_package):
    lines, error = validate(make_valid_package({ADA: valid_item("m1-ada", skill="rupture.guessing")}))
    assert error
    [line] = problem_lines(lines)
    assert line.startswith(ADA) and "[id m1-ada]" in line and "unknown skill 'rupture.guessing'" in line


def test_isomorph_group_of_two_is_caught_on_each_of_its_items(make_valid_package):
    lines, error = validate(make_valid_package({ADA: None}))
    assert error
    message = "isomorph group 'rupture.withdrawal.notice' has 2 item(s) (m1-priya, m1-tomas); needs at least 3"
    problems = problem_lines(lines)
    assert len(problems) == 2
    assert problems[0].startswith(f"{PRIYA}: isomorph_group: item m1-priya: {message}")
    assert problems[1].startswith(f"{TOMAS}: isomorph_group: item m1-tomas: {message}")


def test_isomorph_group_counts_the_group_not_the_skill(make_valid_package):
    moved = valid_item("m1-ada", "Ada, 71", isomorph_group="withdrawal-older-clients")
    lines, error = validate(make_valid_package({ADA: moved}))
    assert error
    assert any(
        line.startswith(f"{ADA}: isomorph_group: item m1-ada: isomorph group 'withdrawal-older-clients'")
        for line in lines
    )


@pytest.mark.parametrize(("words", "passes"), [(120, True), (121, False)])
def test_vignette_over_120_words_is_caught(make_valid_package, words, passes):
    item = valid_item("m1-ada", vignette=" ".join(["word"] * words))
    lines, error = validate(make_valid_package({ADA: item}))
    if passes:
        assert error is None
    else:
        assert problem_lines(lines) == [f"{ADA}: vignette: item m1-ada: vignette has 121 words; at most 120"]


def test_option_much_longer_than_the_shortest_is_caught(make_valid_package):
    item = valid_item("m1-ada")
    item["options"][3]["text"] = (
        "Plans often feel odd at first, and most people find they get easier with a little practice."
    )
    assert len(item["options"][3]["text"]) / len(item["options"][1]["text"]) > MAX_LENGTH_RATIO
    lines, error = validate(make_valid_package({ADA: item}))
    assert error
    assert problem_lines(lines) == [
        f"{ADA}: options: item m1-ada, first step: option d (91 characters) is 1.86 times as long as "
        "option b (49); at most 1.8 allowed"
    ]


def test_best_option_longest_in_too_many_steps_is_caught_with_share_and_steps(make_valid_package):
    long_best = "Can we pause for a moment? I sense that something has shifted."
    changes = {}
    for path, item in ((PRIYA, valid_item("m1-priya", write_first=True)), (ADA, valid_item("m1-ada", "Ada, 71"))):
        item["options"][1]["text"] = long_best
        changes[path] = item
    lines, error = validate(make_valid_package(changes))
    assert error
    assert problem_lines(lines) == [
        "modules/*/items: the best option is the longest of its step in 2 of 4 steps (50%); "
        "at most 35% allowed. Those steps follow.",
        f"{ADA}: options: item m1-ada, first step: the best option is the longest",
        f"{PRIYA}: options: item m1-priya, first step: the best option is the longest",
    ]


def test_best_option_longest_in_one_step_of_four_is_allowed(make_valid_package):
    item = valid_item("m1-ada", "Ada, 71")
    item["options"][1]["text"] = "Can we pause for a moment? I sense that something has shifted."
    lines, error = validate(make_valid_package({ADA: item}))
    assert error is None
    assert "1 best-is-longest steps" in lines[-2]


def test_module_without_a_write_first_item_is_caught(make_valid_package):
    lines, error = validate(make_valid_package({PRIYA: valid_item("m1-priya")}))
    assert error
    assert problem_lines(lines) == [f"{MODULE}: module basics: none of its 3 items is write_first"]


def test_module_quiz_without_a_complete_reflection_is_caught(make_valid_package):
    module = yaml.safe_load(valid_course_files()[MODULE])
    module["quiz"]["reflection"] = {"prompt": "What would you say to Debbie?"}
    lines, error = validate(make_valid_package({MODULE: module}))
    assert error
    assert problem_lines(lines) == [
        f"{MODULE}: quiz.reflection: module basics: its quiz reflection needs rubric, exemplar"
    ]


def test_summary_counts_branch_and_write_first_items_skills_and_facts(make_valid_package):
    extra = {
        f"{ITEMS}/m1-lena.yaml": valid_branch_item("m1-lena", "Lena, 23") | {"write_first": True},
        f"{ITEMS}/m1-joe.yaml": valid_item("m1-joe", "Joe, 40", skill="here_and_now.immediacy", difficulty="beginner"),
        f"{ITEMS}/m1-kai.yaml": valid_item("m1-kai", "Kai, 17", skill="here_and_now.immediacy"),
        f"{ITEMS}/m1-rui.yaml": valid_item("m1-rui", "Rui, 60", skill="here_and_now.immediacy", difficulty="advanced"),
    }
    lines, error = validate(make_valid_package(extra))
    assert error is None
    assert "7 items, 2 skills, 2 branch items, 2 write-first items, 9 steps" in lines[-2]
    assert lines[-2].endswith(", 1 facts")


# The step rules on their own, as the admin's editor or a test would use them.


def test_step_problems_of_a_sound_step_are_empty():
    step = {"options": [valid_option("a", 3, "x" * 50), valid_option("b", 0, "y" * 90)]}
    assert step_problems(step) == []


def test_step_problems_name_two_best_options_and_a_missing_harmful_one():
    step = {"options": [valid_option("a", 3, "x" * 50), valid_option("b", 3, "y" * 50)]}
    assert step_problems(step) == [
        "needs exactly one best option (grade 3), has 2",
        "needs at least one harmful option (grade 0), has none",
    ]


def test_length_ratio_of_exactly_the_limit_passes_and_above_fails():
    at_limit = {"options": [valid_option("a", 3, "x" * 50), valid_option("b", 0, "y" * 90)]}
    above = {"options": [valid_option("a", 3, "x" * 50), valid_option("b", 0, "y" * 91)]}
    assert step_problems(at_limit) == []
    assert step_problems(above) == [
        "option b (91 characters) is 1.82 times as long as option a (50); at most 1.8 allowed"
    ]


# Every isomorph group of three or more holds an item at each level.


def test_a_group_without_a_beginner_item_is_caught_naming_the_skill_and_level(make_valid_package):
    item = valid_item("m1-priya", write_first=True, difficulty="advanced")
    lines, error = validate(make_valid_package({PRIYA: item}))
    assert error
    assert problem_lines(lines) == [
        f"{ADA}: difficulty: skill rupture.withdrawal.notice has no beginner item (m1-ada advanced, m1-priya "
        "advanced, m1-tomas intermediate); each group needs an item at every level, beginner, intermediate, "
        "advanced, since review moves a trainee through all three"
    ]


def test_a_group_missing_two_levels_names_both_and_its_group(make_valid_package):
    changes = {
        path: valid_item(item_id, client, isomorph_group="withdrawal", difficulty="intermediate")
        for path, item_id, client in ((PRIYA, "m1-priya", "Priya, 34"), (ADA, "m1-ada", "Ada, 71"))
    }
    changes[PRIYA]["write_first"] = True
    tomas = valid_branch_item("m1-tomas")
    tomas["isomorph_group"] = "withdrawal"
    changes[TOMAS] = tomas
    lines, error = validate(make_valid_package(changes))
    assert error
    [line] = problem_lines(lines)
    assert "skill rupture.withdrawal.notice (isomorph group 'withdrawal') has no beginner or advanced item" in line


# One client per first name.


@pytest.mark.parametrize(
    "vignette, problem",
    [
        ("Ada, 40", "(aged 71 there and 40 here)"),
        ("Ada", "(no age in the vignette to show it is the same client)"),
        ("Áda, 40", "(aged 71 there and 40 here)"),  # accents aside, the same name
        ("Ada, 71", None),  # the same client, met again
        ("Adam, 40", None),
    ],
)
def test_two_clients_with_one_first_name_are_caught_naming_both_items(make_valid_package, vignette, problem):
    item = valid_item("m1-priya", vignette, write_first=True)
    lines, error = validate(make_valid_package({PRIYA: item}))
    found = [line for line in problem_lines(lines) if "shares a first name" in line]
    if problem is None:
        assert error is None and found == []
    else:
        name = vignette.split(",")[0]
        assert found == [
            f"{PRIYA}: vignette: item m1-priya: its client {name} shares a first name with the client of item "
            f"m1-ada {problem}; give each client a first name of their own"
        ]


@pytest.mark.parametrize(
    "example, problem",
    [
        (
            "Ada, 40, says she is fine.",
            "its example client Ada, 40, shares a first name with the client of item m1-ada",
        ),
        ("Psychotherapy, 55(4), is a journal.", None),
    ],
)
def test_a_lessons_example_client_may_not_take_an_items_clients_name(make_valid_package, example, problem):
    body = VALID_LESSON_PARAGRAPH * 6 + example + " (Bordin, 1979) {evidence=opinion}.\n"
    lines, error = validate(make_valid_package({LESSON: valid_lesson(body)}))
    found = [line for line in problem_lines(lines) if "example client" in line]
    if problem is None:
        assert error is None and found == []
    else:
        assert found == [
            f"{LESSON}: lesson basics-first: {problem} (aged 71); give each client a first name of their own"
        ]


def test_an_item_may_not_meet_a_lessons_example_client_again(make_valid_package):
    # Same name and age: the item's client is the lesson's worked example, whose good reply the
    # trainee has read, so the item would test recall. The error names the item, in its file.
    body = VALID_LESSON_PARAGRAPH * 6 + "Ada, 71, says she is fine (Bordin, 1979) {evidence=opinion}.\n"
    lines, error = validate(make_valid_package({LESSON: valid_lesson(body)}))
    assert error is not None and error.startswith("1 problem(s) in ")
    assert problem_lines(lines) == [
        f"{ADA}: vignette: item m1-ada: its client Ada, 71, is the example client of lesson basics-first, where "
        "the trainee reads a good reply; the item then tests recall, so give it a client and a scenario of its own"
    ]


def test_two_lessons_may_not_give_one_name_to_two_clients(make_valid_package):
    first = VALID_LESSON_PARAGRAPH * 6 + "Nell, 30, is quiet today (Bordin, 1979) {evidence=opinion}.\n"
    second = VALID_LESSON_PARAGRAPH * 6 + "Nell, 62, is angry today (Bordin, 1979) {evidence=opinion}.\n"
    changes = {
        LESSON: valid_lesson(first),
        "modules/01-basics/lessons/02-second.md": valid_lesson(second, id="basics-second", title="Second", order=2),
    }
    lines, error = validate(make_valid_package(changes))
    assert error
    assert problem_lines(lines) == [
        "modules/01-basics/lessons/02-second.md: lesson basics-second: its example client Nell, 62, shares a first "
        "name with the example client of lesson basics-first (aged 30); give each client a first name of their own"
    ]


# Dimension tags carry a polarity, and it must agree with the grade.


def test_a_harmful_reply_tagged_as_showing_a_dimension_is_caught(make_valid_package):
    item = valid_item("m1-ada", "Ada, 71")
    item["options"][1]["dimensions"] = {"rupture_repair": "shows"}
    item["options"][2]["dimensions"] = {"empathy": "shows", "rupture_repair": "breaks"}
    lines, error = validate(make_valid_package({ADA: item}))
    assert error
    assert problem_lines(lines) == [
        f"{ADA}: options: item m1-ada, first step: option c is harmful but shows empathy; a harmful reply "
        "breaks the dimensions it touches"
    ]


def test_an_untagged_polarity_is_refused_naming_item_and_option(make_valid_package):
    item = valid_item("m1-ada", "Ada, 71")
    item["options"][3]["dimensions"] = ["empathy"]
    lines, error = validate(make_valid_package({ADA: item}))
    assert error and "cannot be read" in error
    [line] = problem_lines(lines)
    assert line.startswith(f"{ADA}") and "[id m1-ada]" in line
    assert "item m1-ada, option d: tags empathy without a polarity" in line


@pytest.mark.parametrize(
    "grade, tags, message",
    [
        (0, {"warmth": "breaks"}, None),
        (0, {"warmth": "shows"}, "option x is harmful but shows warmth"),
        (1, {"verbal_fluency": "shows", "rupture_repair": "breaks"}, None),
        (1, {"verbal_fluency": "shows"}, "option x is weak but only shows verbal_fluency"),
        (2, {"empathy": "shows", "rupture_repair": "breaks"}, None),
        (3, {"empathy": "shows"}, None),
        (3, {"empathy": "shows", "warmth": "breaks"}, "option x is the best reply but breaks warmth"),
    ],
)
def test_polarity_must_agree_with_the_grade(grade, tags, message):
    found = polarity_problems([valid_option("x", grade, "Reply", dimensions=tags)])
    assert [p.split(";")[0] for p in found] == ([message] if message else [])


def test_best_is_longest_counts_a_tie_as_a_give_away():
    tie = {"options": [valid_option("a", 3, "x" * 50), valid_option("b", 0, "y" * 50)]}
    shorter = {"options": [valid_option("a", 3, "x" * 49), valid_option("b", 0, "y" * 50)]}
    assert best_is_longest(tie) is True
    assert best_is_longest(shorter) is False


# Surface cues (quizzes/cues.py): a step where a cue singles out the best option, and course-wide gaps.


def test_best_as_the_only_question_in_a_step_is_caught_with_file_item_and_step(make_valid_package):
    item = valid_branch_item("m1-tomas")
    item["options"][1]["next"]["options"][2]["text"] = "Being someone's project sounds lonely. Tell me when it started."
    item["options"][1]["next"]["options"][0]["text"] = "Thank you for telling me. Could you say more?"
    lines, error = validate(make_valid_package({TOMAS: item}))
    assert error
    assert f"{TOMAS}: options: item m1-tomas, step b: the best option (a) is the only one that ends with '?'" in (
        problem_lines(lines)
    )


def test_best_as_the_only_option_without_the_clients_name_is_caught(make_valid_package):
    item = valid_item("m1-ada", "Ada, 71")
    for index in (0, 2, 3):
        item["options"][index]["text"] = item["options"][index]["text"].rstrip(".") + ", Ada."
    lines, error = validate(make_valid_package({ADA: item}))
    assert error
    assert (
        f"{ADA}: options: item m1-ada, first step: the best option (b) is the only one that does not use the "
        "client's name" in problem_lines(lines)
    )


def test_best_as_the_only_option_with_an_intensifier_is_caught(make_valid_package):
    item = valid_item("m1-ada", "Ada, 71")
    item["options"][1]["text"] = "Can we pause? I sense something shifted just now."
    lines, error = validate(make_valid_package({ADA: item}))
    assert error
    assert (
        f"{ADA}: options: item m1-ada, first step: the best option (b) is the only one that holds an absolute "
        "or intensifier word" in problem_lines(lines)
    )


def test_course_wide_cue_gap_above_the_limit_is_caught_and_named(make_valid_package):
    changes = {}
    for path, item in ((PRIYA, valid_item("m1-priya", write_first=True)), (ADA, valid_item("m1-ada", "Ada, 71"))):
        item["options"][1]["text"] = "Can we pause? What shifted there, do you think?"
        item["options"][0]["text"] = "You sound unsure about the plan. What part doesn't fit?"
        changes[path] = item
    lines, error = validate(make_valid_package(changes))
    assert error
    problems = problem_lines(lines)
    # best: 2 of 4 steps end with "?"; others: 3 of 11 (the two changed options and option c of Tomas's branch)
    assert (
        "modules/*/items: 50% of best options end with '?' against 27% of the other options: a gap of 0.23 that "
        f"points toward the best option; at most {MAX_CUE_GAP:.2f} allowed"
    ) in problems
    assert not any("uses the client's name" in line or "use the client's name" in line for line in problems)


def test_cue_gap_at_the_limit_passes():
    rate = cues.CueRate("question", carrying={3: 3, 2: 3, 1: 0, 0: 0}, total={3: 20, 2: 20, 1: 0, 0: 0})
    assert abs(rate.gap) <= MAX_CUE_GAP
    rate = cues.CueRate("question", carrying={3: 4, 2: 0, 1: 0, 0: 0}, total={3: 20, 2: 20, 1: 0, 0: 0})
    assert abs(rate.gap) > MAX_CUE_GAP


def test_summary_reports_each_cue_for_best_and_other_options(make_valid_package):
    lines, error = validate(make_valid_package())
    assert error is None
    assert lines[-2].endswith(
        "0% of best vs 9% of other options end with '?', 0% of best vs 0% of other options use the client's name, "
        "0% of best vs 9% of other options hold an intensifier, 1 facts"
    )


# An item may not repeat a lesson's worked example word for word.

ECHO_BEST = "Can we pause here? I sense that something between us has shifted."


@pytest.mark.parametrize(
    "example, echoed",
    [
        ("One reply is to pause here: I sense that something between us has shifted", True),  # 10 words in a row
        ("One reply is to pause: I sense that something between us has shifted", False),  # 8 in a row
    ],
)
def test_a_best_option_that_repeats_a_lessons_example_is_caught(make_valid_package, example, echoed):
    item = valid_item("m1-priya", write_first=True)
    item["options"][1]["text"] = ECHO_BEST
    body = VALID_LESSON_PARAGRAPH * 6 + example + " (Bordin, 1979) {evidence=opinion}.\n"
    lines, error = validate(make_valid_package({PRIYA: item, LESSON: valid_lesson(body)}))
    if not echoed:
        assert error is None and problem_lines(lines) == []
        return
    assert problem_lines(lines) == [
        f"{PRIYA}: options: item m1-priya: the best option of first step repeats lesson basics-first word for word "
        '("pause here i sense that something between us has shifted..."); the trainee would recognise the '
        "lesson's example instead of judging, so reword it (at most 9 words in a row from a lesson)"
    ]


def test_a_client_statement_or_reply_taken_from_a_lesson_is_caught(make_valid_package):
    quote = "Honestly? It felt like I was your project, and you were disappointed in me."
    item = valid_branch_item("m1-tomas")
    item["client_statement"] = quote
    item["options"][1]["next"]["client_reply"] = quote
    body = VALID_LESSON_PARAGRAPH * 6 + f'A client says: "{quote}" (Bordin, 1979) {{evidence=opinion}}.\n'
    lines, error = validate(make_valid_package({TOMAS: item, LESSON: valid_lesson(body)}))
    assert error is not None
    assert [line.split(" word for word")[0] for line in problem_lines(lines)] == [
        f"{TOMAS}: client_statement: item m1-tomas: its client statement repeats lesson basics-first",
        f"{TOMAS}: options: item m1-tomas: the client reply of step b repeats lesson basics-first",
    ]
