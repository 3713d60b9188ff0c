"""Item analysis on a hand-computed example (no database).

Four attempts with totals 1.0, 0.75, 0.5 and 0.25: the 27% groups hold round(0.27 * 4) = 1
attempt each, so the top group is {1} and the bottom group {4}.

Item X (branching): first step picks 1:a(3) 2:a(3) 3:b(2) 4:c(0)
  facility = (3 + 3 + 2 + 0) / 4 / 3 = 8/12 = 0.667; discrimination = 3/3 - 0/3 = 1.0
  branch after a: 1:a(3) 2:b(0); paths a.a, a.b, b, c: one attempt each (25%)
Item Y: picks 1:b(1) 2:a(3) 3:a(3) 4:a(3)
  facility = 10/12 = 0.833; discrimination = 1/3 - 3/3 = -0.667; top group chose best 0% -> flagged
"""

import pytest

from quizzes.instructor import stats
from quizzes.instructor.stats import Pick
from tests.quizzes.instructor.conftest import BRANCHING_STEPS, PLAIN_STEPS

TOTALS = {1: 1.0, 2: 0.75, 3: 0.5, 4: 0.25}
PICKS = [
    Pick(1, "x", "", "a", 3),
    Pick(1, "x", "a", "a", 3),
    Pick(2, "x", "", "a", 3),
    Pick(2, "x", "a", "b", 0),
    Pick(3, "x", "", "b", 2),
    Pick(4, "x", "", "c", 0),
    Pick(1, "y", "", "b", 1),
    Pick(2, "y", "", "a", 3),
    Pick(3, "y", "", "a", 3),
    Pick(4, "y", "", "a", 3),
]


@pytest.fixture
def result():
    items = [("x", BRANCHING_STEPS, "X says"), ("y", PLAIN_STEPS, "Y says")]
    return stats.analyse_quiz(items, PICKS, TOTALS, {1: True, 2: True, 3: False, 4: False})


def test_groups_are_the_top_and_bottom_27_percent():
    assert stats.upper_lower_groups(TOTALS) == ({1}, {4})
    ten = {i: i / 10 for i in range(10)}  # round(2.7) = 3 each
    assert stats.upper_lower_groups(ten) == ({7, 8, 9}, {0, 1, 2})
    assert stats.upper_lower_groups({1: 0.5}) == (frozenset(), frozenset())


def test_quiz_figures(result):
    assert result.attempts == 4
    assert result.mean_score == pytest.approx(0.625)
    assert result.pass_rate == pytest.approx(0.5)


def test_facility_and_discrimination_of_a_good_item(result):
    x = result.items[0]
    assert x.answered == 4
    assert x.facility == pytest.approx(8 / 12)
    assert x.discrimination == pytest.approx(1.0)
    assert x.best_pick_upper == pytest.approx(1.0)
    assert x.harmful_picks == 2
    assert x.flags == []


def test_option_counts_mark_harmful_and_best(result):
    first, branch = result.items[0].steps
    counts = {o.id: (o.count, o.share, o.upper_count, o.lower_count, o.harmful, o.best) for o in first.options}
    assert counts == {
        "a": (2, 0.5, 1, 0, False, True),
        "b": (1, 0.25, 0, 0, False, False),
        "c": (1, 0.25, 0, 1, True, False),
    }
    assert branch.path == "a" and branch.client_line == "Go on then." and branch.answered == 2
    assert {o.id: (o.count, o.harmful) for o in branch.options} == {"a": (1, False), "b": (1, True)}


def test_paths_through_branch_steps(result):
    paths = {p.path: (p.count, p.share) for p in result.items[0].paths}
    assert paths == {"a.a": (1, 0.25), "a.b": (1, 0.25), "b": (1, 0.25), "c": (1, 0.25)}


def test_item_the_top_group_gets_wrong_is_flagged(result):
    y = result.items[1]
    assert y.facility == pytest.approx(10 / 12)
    assert y.discrimination == pytest.approx(1 / 3 - 1)
    assert y.best_pick_upper == 0
    assert any("top group chose the best option" in f for f in y.flags)
    assert any("weaker attempts did better" in f for f in y.flags)


def test_picks_of_a_removed_option_still_count():
    result = stats.analyse_item("y", PLAIN_STEPS, "s", [Pick(1, "y", "", "z", 2)], frozenset(), frozenset())
    assert [(o.id, o.count, o.text) for o in result.steps[0].options][-1] == ("z", 1, "(no longer in the item)")


def test_no_attempts_gives_empty_figures():
    result = stats.analyse_quiz([("y", PLAIN_STEPS, "s")], [], {})
    assert result.items[0].facility is None and result.items[0].discrimination is None
    assert result.mean_score is None and result.items[0].paths == []


def test_no_discrimination_when_every_attempt_has_the_same_score():
    """Equal totals leave nobody "stronger" or "weaker": groups cut by id would give an arbitrary
    index (here -1.0) and a false flag."""
    same = {1: 0.5, 2: 0.5, 3: 0.5, 4: 0.5}
    assert stats.upper_lower_groups(same) == (frozenset(), frozenset())
    picks = [Pick(1, "y", "", "c", 0), Pick(2, "y", "", "a", 3), Pick(3, "y", "", "a", 3), Pick(4, "y", "", "c", 0)]
    y = stats.analyse_quiz([("y", PLAIN_STEPS, "s")], picks, same).items[0]
    assert y.facility == pytest.approx(0.5) and y.discrimination is None
    assert not any("weaker attempts" in f for f in y.flags)
