from datetime import UTC, datetime, timedelta

import pytest

from quizzes.instructor import rules
from quizzes.instructor.forms import DashboardQueryForm

NOW = datetime(2026, 10, 1, 12, tzinfo=UTC)
LIMITS = rules.RiskThresholds(inactive_days=7, overdue_reviews=10, harmful_picks=2)


def test_the_grid_uses_the_course_rule_and_never_shows_locked():
    from course import rules as course_rules

    assert rules.module_status is course_rules.module_status
    assert rules.STATUSES == (course_rules.NOT_STARTED, course_rules.IN_PROGRESS, course_rules.COMPLETED)


def dashboard_query(params, module_slugs):
    form = DashboardQueryForm(params, module_slugs)
    if not form.is_valid():
        raise ValueError(form.errors)
    return form.query


def test_the_old_passed_filter_means_completed():
    query = dashboard_query({"module": "m", "status": "passed"}, {"m"})
    assert query.status == rules.COMPLETED


def test_at_risk_reasons():
    assert rules.at_risk_reasons(NOW, NOW - timedelta(days=1), NOW, 0, {}, LIMITS) == []
    assert rules.at_risk_reasons(NOW, NOW - timedelta(days=8), NOW - timedelta(days=30), 0, {}, LIMITS) == [
        "no activity for 8 days"
    ]
    assert rules.at_risk_reasons(NOW, None, NOW - timedelta(days=9), 0, {}, LIMITS) == ["nothing started for 9 days"]
    # Idle time counts from the later of the last activity and the enrolment.
    ago = NOW - timedelta(days=20)
    assert rules.at_risk_reasons(NOW, ago, NOW - timedelta(days=3), 0, {}, LIMITS) == []
    assert rules.at_risk_reasons(NOW, ago, NOW - timedelta(days=8), 0, {}, LIMITS) == ["no activity for 8 days"]
    assert rules.at_risk_reasons(NOW, NOW, NOW, 11, {}, LIMITS) == ["11 overdue reviews"]
    assert rules.at_risk_reasons(NOW, NOW, NOW, 10, {}, LIMITS) == []
    assert rules.at_risk_reasons(NOW, NOW, NOW, 0, {"a": 2, "b": 1}, LIMITS) == ["2 harmful picks in a"]


def test_dashboard_query_parses_and_names_bad_parameters():
    query = dashboard_query({"q": " ann ", "risk": "at_risk", "sort": "-last_activity"}, set())
    assert (query.q, query.risk, query.sort, query.descending) == ("ann", "at_risk", "last_activity", True)
    with pytest.raises(ValueError) as exc:
        dashboard_query({"risk": "maybe", "sort": "age", "module": "nope", "status": "done"}, {"m1"})
    assert set(exc.value.args[0]) == {"risk", "sort", "module", "status"}


def test_page_window_covers_every_row_once_and_clamps_the_page_number():
    from quizzes.instructor.rules import Page, page_window

    rows = list(range(250))
    windows = [page_window(len(rows), n, size=100) for n in (1, 2, 3)]
    pages = [Page(rows[part], number, count) for number, count, part in windows]
    assert [len(p.rows) for p in pages] == [100, 100, 50] and sum((p.rows for p in pages), []) == rows
    assert (pages[0].previous, pages[0].next, pages[2].next, pages[2].count) == (None, 2, None, 3)
    assert page_window(250, 99, size=100)[:2] == (3, 3)
    assert page_window(0, 1) == (1, 1, slice(0, 100))
