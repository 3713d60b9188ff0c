"""The stored mastery state ("ready to practise" on SkillLevel): the pure step function against the
rule it folds, and the quiz, review, reaction and undo services that keep it, against the history."""

import random
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase

from quizzes import grading
from quizzes import services as quiz_services
from quizzes.models import Item
from quizzes.review import mastery, selectors, services
from quizzes.review.mastery import NO_PICKS, Pick, after_pick, state_of
from quizzes.review.models import ReviewCard, ReviewLog, SkillLevel
from tests.conftest import UserFactory, enroll
from tests.quizzes.reviewing import SKILL, build_review_course

T0 = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
BEST, GOOD, WEAK, HARMFUL = grading.BEST, grading.ACCEPTABLE, grading.WEAK, grading.HARMFUL


# ---------------------------------------------------------------- the pure step function


def random_picks(rng: random.Random, n: int) -> list[Pick]:
    """Picks in time order: same instant, same day, next day or a week on; few items, so they repeat."""
    at, picks = T0, []
    for _ in range(n):
        at += rng.choice([timedelta(0), timedelta(minutes=3), timedelta(hours=5), timedelta(days=1),
                          timedelta(days=rng.randint(2, 9))])  # fmt: skip
        grade = rng.choices([BEST, GOOD, WEAK, HARMFUL], weights=[6, 2, 1, 1])[0]
        picks.append(Pick(rng.randint(1, 5), grade, at))
    return picks


def assert_same_as_the_rule(state: mastery.MasteryState, picks: list[Pick]) -> None:
    expected = mastery.mastery(picks)
    assert state.ready == expected.ready, picks
    assert state.harmful_in_recent == expected.harmful_in_recent
    assert state.session_span_days == expected.session_span_days
    assert len(state.best_items) == min(expected.best_isomorphs, mastery.ISOMORPHS_NEEDED)
    assert len(state.recent) <= mastery.RECENT_WINDOW


def test_folding_after_pick_gives_the_rules_answer_for_every_prefix():
    rng = random.Random(20261204)
    became_ready = lost_it = 0
    for _ in range(400):
        picks = random_picks(rng, rng.randint(1, 30))
        state, was_ready = NO_PICKS, False
        for index, pick in enumerate(picks):
            state = after_pick(state, pick)
            assert_same_as_the_rule(state, picks[: index + 1])
            became_ready += state.ready and not was_ready
            lost_it += was_ready and not state.ready
            was_ready = state.ready
    assert became_ready > 50 and lost_it > 20  # the sequences really do cross the rule both ways


def test_a_pick_that_arrives_late_slots_in_by_its_time():
    """A review may be dated (by the client) before a quiz answer stored earlier: the state still
    equals the rule over the picks so far, which sorts them by time."""
    rng = random.Random(7)
    for _ in range(400):
        picks = random_picks(rng, rng.randint(1, 25))
        arrived = picks[:]
        for i in range(len(arrived) - 1):  # some picks come one or two places late
            if rng.random() < 0.3:
                j = min(len(arrived) - 1, i + rng.randint(1, 2))
                arrived[i], arrived[j] = arrived[j], arrived[i]
        state = NO_PICKS
        for index, pick in enumerate(arrived):
            state = after_pick(state, pick)
            assert_same_as_the_rule(state, arrived[: index + 1])


def day(n: int, item: int, grade: int = BEST, minutes: int = 0) -> Pick:
    return Pick(item, grade, T0 + timedelta(days=n, minutes=minutes))


def test_three_items_picked_best_on_dates_a_week_apart_are_ready():
    assert not state_of([day(0, 1), day(0, 2), day(6, 3)]).ready  # 6 days
    state = state_of([day(0, 1), day(0, 2), day(7, 3)])
    assert state.ready and state.first_best_on == T0.date() and state.last_best_on == date(2026, 6, 17)
    assert not state_of([day(0, 1), day(0, 1), day(7, 1), day(7, 2)]).ready  # two items only


def test_a_harmful_pick_in_the_last_five_unreadies_until_it_falls_out():
    ready = [day(0, 1), day(0, 2), day(7, 3)]
    state = state_of([*ready, day(8, 1, HARMFUL)])
    assert not state.ready and state.harmful_in_recent == 1
    for minutes in range(1, 5):  # four more picks: the harmful one is still among the last five
        state = after_pick(state, day(8, 2, GOOD, minutes))
        assert not state.ready
    assert after_pick(state, day(8, 3, GOOD, 5)).ready


def test_the_state_keeps_no_more_than_the_rule_reads():
    state = state_of([day(n, item) for n in range(3) for item in range(1, 7)])
    assert state.best_items == (1, 2, 3) and len(state.recent) == mastery.RECENT_WINDOW
    assert state.recent[-1] == (T0 + timedelta(days=2), BEST)


# ---------------------------------------------------------------- the services keep it


@pytest.fixture
def quiz(course_with_lessons):
    return build_review_course(course_with_lessons)


ITEMS = ("withdrawal-harold", "withdrawal-joaquin", "withdrawal-priya", "immediacy-mira")


def play(user, quiz, options: str, at: datetime) -> datetime:
    """One attempt through the real service, a minute per item; options[i] answers ITEMS[i]."""
    attempt = None
    for slug, option in zip(ITEMS, options, strict=True):
        at = at + timedelta(minutes=1)
        with time_machine.travel(at, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
            if attempt is None:
                attempt, _ = quiz_services.attempt_start(user, quiz)
            quiz_services.attempt_answer(attempt, slug, "", option, 3, seconds=30)
    return at


def review(user, option: str, at: datetime, reviewed_at: datetime | None = None):
    card = ReviewCard.objects.get(user=user, kind=ReviewCard.SKILL, skill=SKILL)
    with time_machine.travel(at, tick=False):
        key = selectors.prompt_for(card).key
        return services.review_submit(user, card.pk, key, option, 3, 9, uuid.uuid4(), reviewed_at=reviewed_at)


def stored(user, course, skill=SKILL) -> dict:
    row = SkillLevel.objects.get(user=user, course=course, skill=skill)
    return {name: getattr(row, name) for name in services.MASTERY_COLUMNS}


def ready_everywhere(user, course) -> bool:
    """The stored flag, checked against the rule over the history and against the rebuild (which
    must find nothing to correct in any of the trainee's skills); the flag it agrees on."""
    before = {skill: stored(user, course, skill) for skill in (SKILL, "here_and_now.immediacy")}
    from_history = {m.skill: m.mastery for m in selectors.mastery_by_skill(user)}
    assert before[SKILL]["ready"] == from_history[SKILL].ready
    assert services.mastery_rebuild(course_id=course.pk, user_ids=[user.pk]) == 0, before
    assert {skill: stored(user, course, skill) for skill in before} == before
    return before[SKILL]["ready"]


@pytest.mark.django_db
def test_quiz_answers_reviews_a_reaction_and_undos_keep_the_stored_state_right(quiz, trainee, course_with_lessons):
    course = course_with_lessons
    at = play(trainee, quiz, "abad", T0)  # best on harold and priya, acceptable on joaquin; harmful, other skill
    assert not ready_everywhere(trainee, course)
    assert stored(trainee, course)["best_items"] == [Item.objects.get(slug="withdrawal-harold").pk,
                                                     Item.objects.get(slug="withdrawal-priya").pk]  # fmt: skip

    review(trainee, "a", at + timedelta(days=1))  # best on the isomorph the review shows, the next day
    assert not ready_everywhere(trainee, course)

    at = play(trainee, quiz, "aaaa", T0 + timedelta(days=8))  # a week on: three isomorphs, two sessions
    assert ready_everywhere(trainee, course)

    with time_machine.travel(at + timedelta(minutes=1), tick=False):  # a reaction moves the level, not mastery
        before = stored(trainee, course)
        services.level_react(trainee, Item.objects.get(slug="withdrawal-joaquin"), "too_hard")
    assert stored(trainee, course) == before and ready_everywhere(trainee, course)

    harmful = review(trainee, "d", at + timedelta(minutes=5))  # a harmful pick in the last five
    assert not ready_everywhere(trainee, course)
    services.review_undo(trainee, harmful.log.client_id)  # back exactly as it was, from the snapshot
    assert stored(trainee, course) == before and ready_everywhere(trainee, course)

    harmful = review(trainee, "d", at + timedelta(minutes=10))
    at = play(trainee, quiz, "bbbb", at + timedelta(minutes=20))  # the level row moves on after the review
    assert not ready_everywhere(trainee, course)
    services.review_undo(trainee, harmful.log.client_id)  # the state cannot go back: refolded from history
    assert ready_everywhere(trainee, course)

    at = play(trainee, quiz, "dccc", at + timedelta(hours=1))  # a harmful quiz answer un-readies
    assert not ready_everywhere(trainee, course)
    review(trainee, "b", at + timedelta(minutes=5))
    assert not ready_everywhere(trainee, course)  # three picks later it is still among the last five
    play(trainee, quiz, "bbbb", at + timedelta(hours=1))
    assert ready_everywhere(trainee, course)  # and then it is not


@pytest.mark.django_db
def test_a_review_dated_before_answers_stored_earlier_counts_at_its_own_time(quiz, trainee, course_with_lessons):
    course = course_with_lessons
    play(trainee, quiz, "aaaa", T0)
    last = review(trainee, "a", T0 + timedelta(days=8)).log.reviewed_at
    assert ready_everywhere(trainee, course)
    at = play(trainee, quiz, "bdba", last + timedelta(hours=1))  # acceptable, harmful, acceptable (and mira)
    at = play(trainee, quiz, "bbba", at)  # the harmful one is now the oldest of the last five picks
    assert not ready_everywhere(trainee, course)
    # Sent later from a device that was offline, dated between the card's last review and the harmful
    # answer: it is older than the last five, so the harmful answer stays among them.
    review(trainee, "a", at + timedelta(minutes=1), reviewed_at=last + timedelta(minutes=30))
    assert ReviewLog.objects.filter(source=ReviewLog.REVIEW).count() == 2
    assert not ready_everywhere(trainee, course)


@pytest.mark.django_db
def test_an_item_moved_to_another_skill_or_deleted_refolds_the_course(
    quiz, trainee, course_with_lessons, django_capture_on_commit_callbacks
):
    """Mastery reads a quiz answer under its item's current skill (an import or the admin may move it)
    and forgets a deleted item's picks: the stored states follow, once per transaction."""
    course = course_with_lessons
    play(trainee, quiz, "aaaa", T0)
    play(trainee, quiz, "aaaa", T0 + timedelta(days=8))
    assert ready_everywhere(trainee, course)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for slug in ("withdrawal-priya", "withdrawal-joaquin"):
            item = Item.objects.get(slug=slug)
            item.skill = "here_and_now.immediacy"
            item.save()
    assert [callback.__name__ for callback in callbacks].count("refold") == 1  # two items, one refold
    assert not ready_everywhere(trainee, course)  # one isomorph of the skill left
    assert stored(trainee, course, "here_and_now.immediacy")["ready"]
    with django_capture_on_commit_callbacks(execute=True):
        Item.objects.get(slug="withdrawal-priya").delete()  # its answers go with it
    assert not ready_everywhere(trainee, course)
    assert not stored(trainee, course, "here_and_now.immediacy")["ready"]


@pytest.mark.django_db
def test_the_rebuild_repairs_rows_and_gives_a_row_to_picks_without_one(quiz, trainee, course_with_lessons):
    course = course_with_lessons
    second = enroll(UserFactory(username="second"), trainee.enrollments.get().cohort)
    play(trainee, quiz, "aaaa", T0)
    play(trainee, quiz, "aaaa", T0 + timedelta(days=8))
    play(second, quiz, "dddd", T0)
    mine = {skill: stored(trainee, course, skill) for skill in (SKILL, "here_and_now.immediacy")}
    theirs = stored(second, course)
    SkillLevel.objects.filter(user=trainee).update(ready=False, best_items=[], recent_picks=[], first_best_on=None)
    SkillLevel.objects.filter(user=second).delete()  # e.g. picks from before the level rows, or loaded in bulk

    assert services.mastery_rebuild(course_id=course.pk) == 4
    assert {skill: stored(trainee, course, skill) for skill in mine} == mine and mine[SKILL]["ready"]
    assert stored(second, course) == theirs and SkillLevel.objects.get(user=second, skill=SKILL).level == "beginner"
    assert services.mastery_rebuild() == 0  # every course: nothing left to correct


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_state_of_an_upgraded_site_from_its_history(quiz, trainee, course_with_lessons):
    course = course_with_lessons
    second = enroll(UserFactory(username="second"), trainee.enrollments.get().cohort)
    play(trainee, quiz, "abad", T0)
    review(trainee, "a", T0 + timedelta(days=1))
    play(trainee, quiz, "aaaa", T0 + timedelta(days=8))
    play(second, quiz, "aaaa", T0)
    expected = {(user.pk, skill): stored(user, course, skill) for user in (trainee, second)
                for skill in (SKILL, "here_and_now.immediacy")}  # fmt: skip
    assert expected[(trainee.pk, SKILL)]["ready"] and not expected[(second.pk, SKILL)]["ready"]
    before, after = ("attune_review", "0004_review_log_before"), ("attune_review", "0005_skill_level_mastery")
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([before])  # the site before the upgrade: no state columns
        old = executor.loader.project_state([before]).apps.get_model("attune_review", "SkillLevel")
        old.objects.filter(user_id=second.pk).delete()  # picks older than the level rows themselves
        executor = MigrationExecutor(connection)
        executor.migrate([after])
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    got = {(user.pk, skill): stored(user, course, skill) for user in (trainee, second)
           for skill in (SKILL, "here_and_now.immediacy")}  # fmt: skip
    assert got == expected


@pytest.mark.django_db
def test_the_state_costs_a_review_its_undo_and_a_reaction_no_query(quiz, trainee, django_assert_num_queries):
    """The same counts as before the state existed: it rides in the level's own UPDATE (and the undo's)."""
    at = play(trainee, quiz, "aaaa", T0) + timedelta(days=2)
    card = ReviewCard.objects.get(user=trainee, kind=ReviewCard.SKILL, skill=SKILL)
    with time_machine.travel(at, tick=False):
        key = selectors.prompt_for(card).key
        # the stored log, the card, the prompt's items and level, savepoint, the card's claim, the level
        # locked and updated (its mastery state in the same UPDATE), the reminders' note (two reads, an
        # update), the log, release, the card again: 14, as before the state existed
        with django_assert_num_queries(14):
            outcome = services.review_submit(trainee, card.pk, key, "a", 3, 9, uuid.uuid4())
        # the latest log locked, the card restored, the level restored with its mastery state in one
        # UPDATE, the reminders' mark, the log deleted, the card again: 8, as before the state existed
        with django_assert_num_queries(8):
            services.review_undo(trainee, outcome.log.client_id)
        item = Item.objects.get(slug="withdrawal-harold")
        with django_assert_num_queries(2):  # the level locked and updated
            services.level_react(trainee, item, "too_easy")
    assert ready_everywhere(trainee, quiz.module.course) is False


@pytest.mark.django_db
def test_the_command_rebuilds_one_course_or_all_and_refuses_an_unknown_one(quiz, trainee, course_with_lessons):
    from io import StringIO

    from django.core.management import CommandError, call_command

    play(trainee, quiz, "aaaa", T0)
    play(trainee, quiz, "aaaa", T0 + timedelta(days=8))
    SkillLevel.objects.filter(user=trainee).update(ready=False)  # only the ready skill row is wrong now
    out = StringIO()
    call_command("attune_rebuild_mastery", "--course", course_with_lessons.slug, "--user", str(trainee.pk), stdout=out)
    assert out.getvalue() == "1 skill row(s) written.\n" and ready_everywhere(trainee, course_with_lessons)
    call_command("attune_rebuild_mastery", stdout=out)
    assert out.getvalue().endswith("0 skill row(s) written.\n")
    with pytest.raises(CommandError, match="There is no course 'nope'"):
        call_command("attune_rebuild_mastery", "--course", "nope")
