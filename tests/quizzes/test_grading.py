"""The pure rules: no database."""

import pytest

from quizzes import grading
from quizzes.grading import AnsweredStep, option_dimensions, score_attempt
from tests.quizzes.conftest import BRANCHING_STEPS, SIMPLE_STEPS


def test_step_at_walks_branches_and_refuses_unknown_paths():
    assert grading.step_at(BRANCHING_STEPS, "") is BRANCHING_STEPS
    assert grading.step_at(BRANCHING_STEPS, "a")["client_reply"].startswith("Honestly")
    for bad in ("b", "z", "a.a", "a.x"):
        with pytest.raises(grading.StepNotFound):
            grading.step_at(BRANCHING_STEPS, bad)


def test_next_step_path_follows_only_options_with_a_branch():
    assert grading.next_step_path(BRANCHING_STEPS, "", "a") == "a"
    assert grading.next_step_path(BRANCHING_STEPS, "", "b") is None
    assert grading.next_step_path(BRANCHING_STEPS, "a", "a") is None
    with pytest.raises(grading.StepNotFound):
        grading.next_step_path(BRANCHING_STEPS, "", "z")


def test_iter_steps_lists_every_step_with_its_path():
    assert [path for path, _ in grading.iter_steps(BRANCHING_STEPS)] == ["", "a"]


def test_best_option_is_the_grade_3_option():
    assert grading.best_option(SIMPLE_STEPS)["id"] == "b"


def test_shuffle_is_stable_for_a_seed_and_changes_with_it():
    first = [o["id"] for o in grading.shuffled_options(BRANCHING_STEPS, 42, "priya", "")]
    assert first == [o["id"] for o in grading.shuffled_options(BRANCHING_STEPS, 42, "priya", "")]
    orders = {
        tuple(o["id"] for o in grading.shuffled_options(BRANCHING_STEPS, seed, "priya", "")) for seed in range(40)
    }
    assert len(orders) > 5
    assert sorted(first) == ["a", "b", "c", "d"]


def answers(*grades, skill="s", dimensions=()):
    return [AnsweredStep("item", skill, grade, tuple(dimensions)) for grade in grades]


def test_all_best_passes_with_full_score():
    result = score_attempt(answers(3, 3, 3), 0.7, True)
    assert result.score == 1.0 and result.passed and result.reasons == []


def test_threshold_is_a_share_of_the_maximum_of_the_steps_met():
    assert score_attempt(answers(3, 2, 2), 0.7, True).passed  # 7/9 = 78%
    result = score_attempt(answers(3, 2, 1), 0.7, True)  # 6/9 = 67%
    assert not result.passed and "below the pass mark of 70%" in result.reasons[0]


def test_exactly_at_the_threshold_passes():
    assert score_attempt(answers(3, 3, 3, 3, 2, 2, 2, 2, 2, 2), 0.8, True).passed  # 24/30 = 80%


def test_a_harmful_pick_fails_even_a_high_score_when_configured():
    result = score_attempt(answers(3, 3, 3, 3, 3, 3, 3, 3, 3, 0), 0.7, True)
    assert result.score == pytest.approx(0.9)
    assert not result.passed and result.reasons == ["1 harmful choice"]
    assert score_attempt(answers(3, 3, 3, 3, 3, 3, 3, 3, 3, 0), 0.7, False).passed


def test_no_answers_never_passes():
    result = score_attempt([], 0.7, True)
    assert not result.passed and result.score == 0 and "no answers" in result.reasons


def test_breakdown_per_skill_and_dimension():
    steps = [
        AnsweredStep("x", "empathy", 3, (("empathy", "shows"),)),
        AnsweredStep("y", "empathy", 0, (("empathy", "breaks"), ("warmth", "breaks"))),
        AnsweredStep("z", "hope", 2, ()),
    ]
    result = score_attempt(steps, 0.5, False)
    assert result.by_skill["empathy"].earned == 3 and result.by_skill["empathy"].possible == 6
    assert result.by_skill["empathy"].harmful == 1
    assert result.by_skill["hope"].share == pytest.approx(2 / 3)
    assert (result.by_dimension["empathy"].shown, result.by_dimension["empathy"].broken) == (1, 1)
    assert (result.by_dimension["warmth"].shown, result.by_dimension["warmth"].broken) == (0, 1)


def test_the_polarity_not_the_grade_decides_shown_or_broken():
    # A weak reply that is fluent: it shows verbal fluency and breaks the repair.
    weak = AnsweredStep("x", "s", 1, (("verbal_fluency", "shows"), ("rupture_repair", "breaks")))
    result = score_attempt([weak], 0.5, False)
    assert (result.by_dimension["verbal_fluency"].shown, result.by_dimension["verbal_fluency"].broken) == (1, 0)
    assert (result.by_dimension["rupture_repair"].shown, result.by_dimension["rupture_repair"].broken) == (0, 1)


@pytest.mark.parametrize(
    "option, expected",
    [
        ({"grade": 1, "dimensions": {"warmth": "shows", "hope": "breaks"}}, (("warmth", "shows"), ("hope", "breaks"))),
        # stored before polarity existed: the grade decides, as it did then
        ({"grade": 2, "dimensions": ["empathy"]}, (("empathy", "shows"),)),
        ({"grade": 0, "dimensions": ["empathy", "warmth"]}, (("empathy", "breaks"), ("warmth", "breaks"))),
        ({"grade": 3}, ()),
    ],
)
def test_option_dimensions_reads_polarity_and_the_first_editions_lists(option, expected):
    assert option_dimensions(option) == expected


@pytest.mark.parametrize("threshold", [0, -0.1, 1.01])
def test_threshold_out_of_range_is_refused(threshold):
    with pytest.raises(ValueError, match="pass_threshold"):
        score_attempt(answers(3), threshold, True)


def test_a_grade_out_of_range_is_refused():
    with pytest.raises(ValueError, match="grade must be 0-3"):
        score_attempt(answers(4), 0.7, True)


@pytest.mark.parametrize(
    ("grade", "confidence", "seconds", "rating"),
    [
        (0, 4, 5, "again"),
        (1, 3, 5, "again"),
        (2, 4, 5, "hard"),
        (3, 3, 5, "good"),
        (3, 4, 30, "good"),
        (3, 4, 12, "easy"),
        (3, 4, None, "good"),
    ],
)
def test_fsrs_rating_follows_the_review_policy(grade, confidence, seconds, rating):
    assert grading.fsrs_rating(grade, confidence, seconds) == rating


def test_answered_step_finds_the_step_and_option_or_none_after_a_rewrite():
    step, option = grading.answered_step(BRANCHING_STEPS, "a", "c")
    assert step["client_reply"].startswith("Honestly") and option["grade"] == 0
    assert grading.answered_step(BRANCHING_STEPS, "b", "a") is None
    assert grading.answered_step(BRANCHING_STEPS, "", "z") is None
