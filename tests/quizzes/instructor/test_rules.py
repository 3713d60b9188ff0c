from datetime import UTC, datetime, timedelta

import pytest

from quizzes.instructor import rules
from quizzes.instructor.rules import DashboardQuery

NOW = datetime(2026, 10, 1, 12, tzinfo=UTC)
LIMITS = rules.RiskThresholds(inactive_days=7, overdue_reviews=10, harmful_picks=2)


@pytest.mark.parametrize(
    "args, expected",
    [
        ((2, 0, 0, True, None, False, 0), rules.NOT_STARTED),
        ((2, 1, 0, True, None, False, 0), rules.IN_PROGRESS),
        ((2, 0, 0, True, None, False, 1), rules.IN_PROGRESS),
        ((2, 2, 2, True, 0.5, False, 1), rules.IN_PROGRESS),  # read everything, quiz not passed
        ((2, 2, 2, True, 0.9, True, 1), rules.PASSED),
        ((2, 2, 2, False, None, False, 0), rules.COMPLETED),
    ],
)
def test_module_status(args, expected):
    assert rules.module_status(*args) == expected


def test_at_risk_reasons():
    assert rules.at_risk_reasons(NOW, NOW - timedelta(days=1), NOW, 0, {}, LIMITS) == []
    assert rules.at_risk_reasons(NOW, NOW - timedelta(days=8), NOW, 0, {}, LIMITS) == ["no activity for 8 days"]
    assert rules.at_risk_reasons(NOW, None, NOW - timedelta(days=9), 0, {}, LIMITS) == ["nothing started for 9 days"]
    assert rules.at_risk_reasons(NOW, NOW, NOW, 11, {}, LIMITS) == ["11 overdue reviews"]
    assert rules.at_risk_reasons(NOW, NOW, NOW, 10, {}, LIMITS) == []
    assert rules.at_risk_reasons(NOW, NOW, NOW, 0, {"a": 2, "b": 1}, LIMITS) == ["2 harmful picks in a"]


def test_dashboard_query_parses_and_names_bad_parameters():
    query = DashboardQuery.from_params({"q": " ann ", "risk": "at_risk", "sort": "-last_activity"}, set())
    assert (query.q, query.risk, query.sort, query.descending) == ("ann", "at_risk", "last_activity", True)
    with pytest.raises(ValueError) as exc:
        DashboardQuery.from_params({"risk": "maybe", "sort": "age", "module": "nope", "status": "done"}, {"m1"})
    assert set(exc.value.args[0]) == {"risk", "sort", "module", "status"}


def test_paginate_covers_every_row_once_and_clamps_the_page_number():
    from quizzes.instructor.rules import paginate

    rows = list(range(250))
    pages = [paginate(rows, n, size=100) for n in (1, 2, 3)]
    assert [len(p.rows) for p in pages] == [100, 100, 50] and sum((p.rows for p in pages), []) == rows
    assert (pages[0].previous, pages[0].next, pages[2].next, pages[2].count) == (None, 2, None, 3)
    assert paginate(rows, 99, size=100).number == 3 and paginate([], 1).rows == [] and paginate([], 1).count == 1
