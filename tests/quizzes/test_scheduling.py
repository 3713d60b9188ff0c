"""FSRS wrapper and reminder timing rules: pure, no database."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from quizzes.reminders import timing
from quizzes.review import mastery, scheduling

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def reviewed(card, rating, at, **kw):
    return scheduling.review(card, rating, at, fuzz=False, **kw)


def test_first_good_review_moves_a_new_card_to_review_days_later():
    card = reviewed(scheduling.new_card(7, T0), scheduling.RATINGS["good"], T0)
    assert card.card_id == 7 and card.state == scheduling.REVIEW and card.step is None
    assert card.last_review == T0 and card.due - T0 >= timedelta(days=1)


def test_a_card_not_stored_yet_is_scheduled_without_an_id():
    # A skill's first answer schedules its card before the row exists. fsrs.Card, given no id,
    # makes one from the clock and sleeps a millisecond: ours passes a placeholder instead.
    unsaved = scheduling.CardState(card_id=None, due=T0)
    assert unsaved.to_fsrs().card_id == 0
    card = reviewed(unsaved, scheduling.RATINGS["good"], T0)
    assert card.card_id is None and card.state == scheduling.REVIEW


def test_again_comes_back_sooner_than_good_and_easy_later():
    new = scheduling.new_card(1, T0)
    due = {r: reviewed(new, scheduling.RATINGS[r], T0).due for r in ("again", "hard", "good", "easy")}
    assert due["again"] <= due["hard"] <= due["good"] < due["easy"]


def test_non_utc_datetime_is_normalised_to_utc():
    paris = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))  # the same instant as T0
    card = reviewed(scheduling.new_card(1, T0), scheduling.RATINGS["good"], paris)
    assert card.last_review == T0 and card.last_review.tzinfo == UTC
    assert card == reviewed(scheduling.new_card(1, T0), scheduling.RATINGS["good"], T0)


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="naive"):
        reviewed(scheduling.new_card(1, T0), scheduling.RATINGS["good"], datetime(2026, 3, 2, 9, 0))


def test_review_dated_before_the_last_one_is_refused():
    card = reviewed(scheduling.new_card(1, T0), scheduling.RATINGS["good"], T0)
    with pytest.raises(scheduling.OutOfOrderReview, match="before the card's last review"):
        reviewed(card, scheduling.RATINGS["good"], T0 - timedelta(seconds=1))


def test_a_review_at_the_same_instant_as_the_last_is_allowed():
    card = reviewed(scheduling.new_card(1, T0), scheduling.RATINGS["good"], T0)
    assert reviewed(card, scheduling.RATINGS["again"], T0).last_review == T0


@pytest.mark.parametrize("bad", [0.69, 0.98, 1, 0, -0.9, "0.9", None, True, float("nan")])
def test_bad_retention_is_refused(bad):
    with pytest.raises(ValueError, match="desired_retention"):
        scheduling.validate_retention(bad)


@pytest.mark.parametrize("good", [0.70, 0.85, 0.97])
def test_retention_bounds_are_inclusive(good):
    assert scheduling.validate_retention(good) == good


def test_higher_retention_schedules_sooner():
    new = scheduling.new_card(1, T0)
    low = reviewed(new, scheduling.RATINGS["good"], T0, desired_retention=0.75)
    high = reviewed(new, scheduling.RATINGS["good"], T0, desired_retention=0.95)
    assert high.due < low.due


def test_rating_follows_the_content_policy():
    r = scheduling.rating_for
    assert [r(g, 3, 30) for g in (0, 1, 2, 3)] == [1, 1, 2, 3]
    assert r(3, 4, 5) == 4 and r(3, 4, 25) == 3 and r(3, 3, 5) == 3


def test_learning_steps_keep_a_card_in_learning_for_minutes():
    card = reviewed(scheduling.new_card(1, T0), scheduling.RATINGS["good"], T0, steps_minutes=(1, 10))
    assert card.state == scheduling.LEARNING and card.due - T0 == timedelta(minutes=10)


# ---------------------------------------------------------------- reminder timing


def trainee(**over):
    values = {
        "user_id": 1,
        "is_active": True,
        "enrolled": True,
        "time_zone": "Europe/London",
        "reminder_time": time(18, 0),
        "quiet_start": time(22, 0),
        "quiet_end": time(7, 0),
        "email_enabled": True,
        "in_app_enabled": True,
        "frequency": "daily",
        "paused_until": None,
        "unsubscribed_at": None,
        "last_reminded_at": None,
        "last_reviewed_at": None,
        "ignored_in_a_row": 0,
    }
    return timing.Trainee(**{**values, **over})


NOW = datetime(2026, 6, 10, 17, 0, tzinfo=UTC)  # 18:00 in London (BST)


def test_due_trainee_is_reminded_and_looked_at_again_tomorrow_at_the_same_local_time():
    decision = timing.decide(trainee(), 3, NOW)
    assert decision.action == "remind" and decision.local_date == date(2026, 6, 10)
    assert decision.next_at == datetime(2026, 6, 11, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "over, reason",
    [
        ({"is_active": False}, timing.DEACTIVATED),
        ({"enrolled": False}, timing.NOT_ENROLLED),
        ({"unsubscribed_at": NOW}, timing.UNSUBSCRIBED),
        ({"frequency": "off"}, timing.FREQUENCY_OFF),
        ({"email_enabled": False, "in_app_enabled": False}, timing.NO_CHANNEL),
        ({"paused_until": date(2026, 6, 10)}, timing.PAUSED),
        ({"last_reviewed_at": NOW - timedelta(hours=2)}, timing.REVIEWED_TODAY),
        ({"last_reminded_at": NOW - timedelta(hours=1)}, timing.REMINDED_TODAY),
    ],
)
def test_skip_reasons(over, reason):
    decision = timing.decide(trainee(**over), 5, NOW)
    assert (decision.action, decision.reason) == ("skip", reason)


def test_nothing_due_is_skipped():
    assert timing.decide(trainee(), 0, NOW).reason == timing.NOTHING_DUE


def test_pause_resumes_the_day_after():
    decision = timing.decide(trainee(paused_until=date(2026, 6, 12)), 5, NOW)
    assert decision.next_at == datetime(2026, 6, 13, 17, 0, tzinfo=UTC)


def test_quiet_hours_over_midnight_defer_to_their_end():
    late = datetime(2026, 6, 10, 22, 30, tzinfo=UTC)  # 23:30 London
    decision = timing.decide(trainee(reminder_time=time(23, 30)), 5, late)
    assert decision.action == "defer" and decision.next_at == datetime(2026, 6, 11, 6, 0, tzinfo=UTC)  # 07:00 BST
    early = datetime(2026, 6, 11, 4, 0, tzinfo=UTC)  # 05:00 London, same quiet period
    assert timing.decide(trainee(), 5, early).next_at == datetime(2026, 6, 11, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "at, quiet",
    [("22:00", True), ("23:59", True), ("00:00", True), ("06:59", True), ("07:00", False), ("21:59", False)],
)
def test_quiet_hours_spanning_midnight(at, quiet):
    assert timing.in_quiet_hours(time.fromisoformat(at), time(22, 0), time(7, 0)) is quiet


def test_quiet_hours_within_a_day_and_none():
    assert timing.in_quiet_hours(time(13, 0), time(12, 0), time(14, 0))
    assert not timing.in_quiet_hours(time(15, 0), time(12, 0), time(14, 0))
    assert not timing.in_quiet_hours(time(3, 0), None, None)
    assert not timing.in_quiet_hours(time(3, 0), time(5, 0), time(5, 0))


def test_seven_ignored_reminders_in_a_row_fall_back_to_weekly():
    sixth = timing.decide(trainee(last_reminded_at=NOW - timedelta(days=1), ignored_in_a_row=4), 5, NOW)
    assert sixth.action == "remind" and sixth.ignored_in_a_row == 5 and sixth.next_at == NOW + timedelta(days=1)
    seventh_ignored = trainee(last_reminded_at=NOW - timedelta(days=1), ignored_in_a_row=6)
    decision = timing.decide(seventh_ignored, 5, NOW)
    assert decision.reason == timing.NOT_THIS_WEEK and decision.next_at == NOW + timedelta(days=6)
    week_later = timing.decide(seventh_ignored, 5, NOW + timedelta(days=6))
    assert week_later.action == "remind" and week_later.next_at == NOW + timedelta(days=13)


def test_a_review_after_the_reminder_resets_the_ignored_count():
    answered = trainee(
        last_reminded_at=NOW - timedelta(days=1), last_reviewed_at=NOW - timedelta(hours=20), ignored_in_a_row=6
    )
    assert timing.decide(answered, 5, NOW).ignored_in_a_row == 0


def test_invalid_zones_are_refused_by_name():
    assert timing.validate_zone("America/New_York").key == "America/New_York"
    for bad in ["Mars/Olympus", "", " Europe/London", "../etc/passwd", None, 5]:
        with pytest.raises(ValueError):
            timing.validate_zone(bad)


def test_spring_forward_gap_and_autumn_overlap_give_one_slot_a_day():
    london = ZoneInfo("Europe/London")
    gap = timing.local_slot(date(2026, 3, 29), time(1, 30), london)  # 01:30 does not exist that day
    overlap = timing.local_slot(date(2026, 10, 25), time(1, 30), london)  # 01:30 happens twice
    assert gap == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert overlap == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_still_eligible_skips_a_review_since_planning_and_stale_plans():
    planned = NOW
    assert timing.still_eligible(trainee(), 3, planned, NOW, timedelta(hours=6)) == ""
    reviewed_since = trainee(last_reviewed_at=NOW + timedelta(minutes=1))
    assert timing.still_eligible(reviewed_since, 3, planned, NOW + timedelta(minutes=2), timedelta(hours=6)) == (
        timing.REVIEWED_SINCE_PLANNED
    )
    assert timing.still_eligible(trainee(), 3, planned, NOW + timedelta(hours=7), timedelta(hours=6)) == timing.STALE
    assert timing.still_eligible(trainee(), 0, planned, NOW, timedelta(hours=6)) == timing.NOTHING_DUE


def test_a_send_delayed_into_quiet_hours_is_dropped_not_sent_at_night():
    planned = NOW  # 18:00 London; quiet hours 22:00-07:00
    late = NOW + timedelta(hours=4, minutes=30)  # 22:30 London, within the 6-hour staleness limit
    assert timing.still_eligible(trainee(), 3, planned, late, timedelta(hours=6)) == timing.QUIET_AT_SEND
    no_quiet = trainee(quiet_start=None, quiet_end=None)
    assert timing.still_eligible(no_quiet, 3, planned, late, timedelta(hours=6)) == ""


def test_retry_delay_is_capped_with_jitter():
    delays = [timing.retry_delay(n, 30, 1800, 0.999) for n in range(12)]
    assert delays[0] < delays[1] < delays[2] and max(delays) <= 1800
    assert timing.retry_delay(3, 30, 1800, 0.0) == 120  # half the 240 s ceiling at zero jitter


# ---------------------------------------------------------------- mastery


def pick(item, grade, day):
    return mastery.Pick(item, grade, T0 + timedelta(days=day))


def test_mastery_needs_three_isomorphs_two_sessions_a_week_apart_and_no_recent_harm():
    ready = [pick(1, 3, 0), pick(2, 3, 0), pick(3, 3, 8)]
    assert mastery.mastery(ready).ready and mastery.mastery(ready).label == "ready to practise"
    assert not mastery.mastery([pick(1, 3, 0), pick(1, 3, 8), pick(2, 3, 9)]).ready  # 2 isomorphs
    assert not mastery.mastery([pick(1, 3, 0), pick(2, 3, 3), pick(3, 3, 6)]).ready  # 6 days apart
    harmful_recently = [*ready, pick(4, 0, 9)]
    assert not mastery.mastery(harmful_recently).ready
    long_ago = [pick(4, 0, -5), *ready, pick(5, 2, 9), pick(6, 2, 9), pick(2, 3, 10)]
    assert mastery.mastery(long_ago).ready  # the harmful pick is older than the last 5
    assert "competent" not in mastery.mastery(ready).label


def test_a_daily_reminder_time_inside_quiet_hours_over_midnight_still_comes_every_day():
    """23:30 lies in quiet hours 22:00-07:00: each day's reminder goes out at 07:00, every day, not every other day."""
    moment, sent, last = datetime(2026, 6, 10, 22, 30, tzinfo=UTC), [], None
    for _ in range(12):
        decision = timing.decide(trainee(reminder_time=time(23, 30), last_reminded_at=last), 5, moment)
        if decision.action == "remind":
            sent.append(decision.local_date)
            last = moment
        moment = decision.next_at
    assert sent[:4] == [date(2026, 6, 11), date(2026, 6, 12), date(2026, 6, 13), date(2026, 6, 14)]


@pytest.mark.parametrize("bad", [0.5, 0.99, "high"])
def test_a_bad_retention_setting_fails_the_system_check(settings, bad):
    from quizzes.review.checks import check_review_settings

    settings.ATTUNE_REVIEW_DESIRED_RETENTION = bad
    errors = check_review_settings(None)
    assert [e.id for e in errors] == ["attune.E001"]
    settings.ATTUNE_REVIEW_DESIRED_RETENTION = 0.9
    assert check_review_settings(None) == []


def test_due_summary_reads_naturally():
    from quizzes.reminders.emails import due_summary

    assert due_summary({"skill": 1, "fact": 5}) == "1 skill and 5 facts are due for review."
    assert due_summary({"skill": 0, "fact": 1}) == "1 fact is due for review."
    assert due_summary({"skill": 3, "fact": 0}) == "3 skills are due for review."
