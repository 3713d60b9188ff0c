"""Relationship-state sessions: the pure state machine, exploring every path, reading the
package format, and playing one through the attempt services to two different endings."""

import copy
from pathlib import Path

import pytest
import yaml

from course.package import PackageError, load_package
from course.services import course_import
from quizzes import grading, selectors, services, sessions
from quizzes.models import Item, Quiz
from quizzes.review.models import ReviewCard
from tests.conftest import CohortFactory, UserFactory, enroll

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sessions" / "withdrawal.yaml"
QUIZ_MODULE_FOR_SESSIONS = (
    "id: basics\ntitle: Basics\norder: 1\nquiz:\n  pass_threshold: 0.7\n  harmful_fails: true\n"
    "  reflection:\n    prompt: What did you notice?\n    rubric: [Names the marker]\n    exemplar: I noticed.\n"
)


def package_files(session: dict) -> dict[str, str]:
    return {
        "modules/01-basics/module.yaml": QUIZ_MODULE_FOR_SESSIONS,
        "modules/01-basics/items/session.yaml": yaml.safe_dump(session, sort_keys=False, allow_unicode=True),
    }


@pytest.fixture
def raw_session() -> dict:
    return yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture
def spec(make_package, raw_session) -> dict:
    package = load_package(make_package(package_files(raw_session)))
    [item] = package.sections["quizzes"].items
    return item.steps


# ---------------------------------------------------------------- the state machine


def test_effects_move_the_state_and_clamp_to_its_range(spec):
    position = sessions.play(spec, ["a"])
    assert position.state == {"bond": 3, "arousal": 3, "openness": 2}
    assert position.turn == "t2-open"
    after_pressure = sessions.play(spec, ["d"])  # bond 2 - 2 = 0: the end_when rule fires
    assert after_pressure.state["bond"] == 0 and after_pressure.ending == "end-leaves"
    at_ceiling = sessions.play(spec, ["a", "a"])  # bond 3 + 1 = 4, its max: the repair ending
    assert at_ceiling.state["bond"] == 4 and at_ceiling.ending == "end-repaired"


def test_the_same_reply_lands_differently_with_a_different_bond(spec):
    trusting = sessions.play(spec, ["a"])  # bond 3: she opens up
    guarded = sessions.play(spec, ["b"])  # bond 2: she stays guarded
    assert (trusting.turn, guarded.turn) == ("t2-open", "t2-guarded")
    assert sessions.step_at(spec, "a")["client_reply"].startswith("Maybe.")
    assert sessions.step_at(spec, "b")["client_reply"].startswith("Whatever.")


def test_a_turns_line_depends_on_the_state(spec):
    # "c" raises arousal to 4 (within the window); the guarded turn keeps its usual line
    assert sessions.step_at(spec, "c")["client_reply"].startswith("Whatever.")
    flooded = copy.deepcopy(spec)
    flooded["state"]["arousal"]["start"] = 4  # 4 + 1 = 5: over the window of tolerance
    assert sessions.step_at(flooded, "c")["client_reply"].startswith("I said it's fine.")


def test_a_rupture_builds_from_small_misses_and_a_repair_brings_the_bond_back(spec):
    misses = sessions.play(spec, ["b", "b", "b"])
    assert misses.ending == "end-unresolved" and misses.state["bond"] == 2
    repaired = sessions.play(spec, ["b", "a", "a"])  # guarded, then named and owned
    assert repaired.ending == "end-repaired"
    assert [s["bond"] for s in repaired.trajectory] == [2, 2, 3, 4]


def test_the_turn_limit_ends_a_session_that_goes_on():
    spec = {
        "kind": "session",
        "state": {"bond": {"min": 0, "max": 3, "start": 1}},
        "start": "t",
        "max_turns": 2,
        "on_turn_limit": "limit",
        "end_when": [],
        "turns": {
            "t": {
                "client": "",
                "lines": [],
                "options": [{"id": "a", "grade": 3, "effect": {}}, {"id": "b", "grade": 0, "effect": {}}],
                "next": [{"goto": "t"}],
            }
        },
        "endings": {"limit": {"title": "", "outcome": "mixed", "debrief": ""}},
    }
    assert sessions.play(spec, ["a"]).turn == "t"
    assert sessions.play(spec, ["a", "b"]).ending == "limit"


def test_a_finished_session_scores_its_replies_and_its_ending(spec):
    best = sessions.outcome_of(spec, sessions.play(spec, ["a", "a"]))
    assert (best.ending, best.outcome, best.score) == ("end-repaired", "good", 1.0)
    poor = sessions.outcome_of(spec, sessions.play(spec, ["d"]))
    assert (poor.outcome, poor.score) == ("poor", 0.0)
    mixed = sessions.outcome_of(spec, sessions.play(spec, ["b", "b", "b"]))
    assert mixed.score == pytest.approx((1 + 1 + 1 + 2) / 12, abs=1e-4)


def test_a_reply_the_turn_does_not_offer_is_refused(spec):
    with pytest.raises(sessions.SessionError):
        sessions.play(spec, ["z"])
    with pytest.raises(grading.StepNotFound):
        grading.step_at(spec, "d.a")  # she left after d


# ---------------------------------------------------------------- exploring every path


def test_exploration_counts_paths_endings_and_the_score_range(spec):
    found = sessions.explore(spec)
    assert found.paths == 22
    assert found.endings == {"end-leaves": 9, "end-repaired": 8, "end-unresolved": 5}
    assert (found.best, found.worst, found.best_path) == (1.0, 0.0, "a.a")
    assert sessions.problems(spec) == []


def test_unreachable_turns_unused_rules_and_missing_endings_are_named(spec):
    broken = copy.deepcopy(spec)
    broken["turns"]["t1"]["next"] = [{"when": {"bond": ">= 9"}, "goto": "t2-open"}, {"goto": "t2-guarded"}]
    problems = sessions.problems(broken)
    assert "turn 't2-open' can never be reached" in problems
    assert "turn 't1': rule 1 (bond >= 9) never matches on any path" in problems


def test_a_session_whose_best_path_ends_badly_is_refused(spec):
    broken = copy.deepcopy(spec)
    broken["endings"]["end-repaired"]["outcome"] = "poor"
    assert any("best path" in p and "not a good ending" in p for p in sessions.problems(broken))


def test_a_harmful_last_reply_that_ends_mixed_or_good_is_refused_by_path_and_ending(spec):
    lenient = copy.deepcopy(spec)
    harmful = next(o for o in lenient["turns"]["t3"]["options"] if o["grade"] == 0)
    harmful["effect"] = {}  # the bond no longer falls, and without its own rule the state decides the ending
    assert lenient["turns"]["t3"]["next"].pop(0) == {"when": {"option": harmful["id"]}, "goto": "end-leaves"}
    problems = sessions.problems(lenient)
    assert (
        f"path b.b.{harmful['id']} ends on a harmful reply (grade 0) in 'end-unresolved', which is mixed: "
        "a harmful last reply must end in a poor ending"
    ) in problems
    assert any(p.startswith(f"path b.a.{harmful['id']} ") and "which is good" in p for p in problems)
    # Sending that reply to a poor ending by its own rule clears it.
    lenient["turns"]["t3"]["next"].insert(0, {"when": {"option": harmful["id"]}, "goto": "end-leaves"})
    assert sessions.problems(lenient) == []


def test_a_session_where_every_path_ends_the_same_is_refused(spec):
    same = copy.deepcopy(spec)
    for turn in same["turns"].values():
        turn["next"] = [{"goto": "end-unresolved"}]
    same["end_when"] = []
    assert any("every path ends the same way" in p for p in sessions.problems(same))


# ---------------------------------------------------------------- the package format and validate_course


def test_a_broken_session_names_the_turn_and_the_rule(make_package, raw_session):
    raw_session["turns"]["t2-open"]["next"][0]["goto"] = "t9"
    raw_session["turns"]["t3"]["next"] = [{"when": {"trust": ">= 3"}, "goto": "end-repaired"}]
    with pytest.raises(PackageError) as error:
        load_package(make_package(package_files(raw_session)))
    text = str(error.value)
    assert "turns.t2-open.next[0].goto: goes to 't9', which is neither a turn nor an ending" in text
    assert "turns.t3.next[0].when: names 'trust', which the session's state does not declare" in text
    assert "turns.t3.next: needs a last rule without `when`: the default" in text


def test_validate_course_reports_each_sessions_paths_and_refuses_a_dead_rule(make_package, raw_session):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    path = make_package(package_files(raw_session), name="ok")
    with pytest.raises(CommandError):  # the minimal package breaks other rules; the report still prints
        call_command("validate_course", str(path), stdout=out)
    assert (
        "Session m1-session-ines: 22 paths; endings: end-leaves 9, end-repaired 8, end-unresolved 5" in out.getvalue()
    )
    raw_session["turns"]["t1"]["next"].insert(0, {"when": {"openness": ">= 3"}, "goto": "t3"})
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("validate_course", str(make_package(package_files(raw_session), name="dead")), stdout=out)
    assert "item m1-session-ines: turn 't1': rule 1 (openness >= 3) never matches on any path" in out.getvalue()


# ---------------------------------------------------------------- playing one through the attempt services


@pytest.mark.django_db
def test_a_trainee_plays_a_session_to_two_endings_and_it_feeds_review(make_package, raw_session):
    course_import(make_package(package_files(raw_session)))
    item = Item.objects.get(slug="m1-session-ines")
    quiz = Quiz.objects.get(pk=item.quiz_id)
    trainee = enroll(UserFactory(username="ines-trainee"), CohortFactory(course=item.course))

    def play(choices: list[str]):
        attempt, _ = services.attempt_start(trainee, quiz)
        for option_id in choices:
            attempt.refresh_from_db()
            services.attempt_answer(attempt, item.slug, attempt.step_path, option_id, 3)
        attempt.refresh_from_db()
        return attempt

    repaired = play(["b", "a", "a"])
    assert not repaired.is_open
    result = selectors.attempt_result(repaired)
    assert result.total.steps == 4 and result.total.earned == 1 + 3 + 3 + 3  # three replies and the good ending
    assert ReviewCard.objects.filter(user=trainee, skill=item.skill, course=item.course).exists()

    left = play(["d"])
    result = selectors.attempt_result(left)
    assert result.total.steps == 2 and result.total.earned == 0 and result.total.harmful == 1
    assert not result.passed


# ---------------------------------------------------------------- pages


@pytest.mark.django_db
def test_pages_show_what_changed_the_ending_the_trajectory_and_a_replay(make_package, raw_session, client):
    from django.urls import reverse

    from quizzes.models import Answer

    course_import(make_package(package_files(raw_session)))
    item = Item.objects.get(slug="m1-session-ines")
    trainee = enroll(UserFactory(username="pages-trainee"), CohortFactory(course=item.course))
    client.force_login(trainee)
    attempt_url = client.post(reverse("quizzes:start", args=[item.quiz_id]))["Location"]
    attempt_id = int(attempt_url.rstrip("/").split("/")[-1])
    for path, option in (("", "a"), ("a", "a")):
        response = client.post(
            reverse("quizzes:answer", args=[attempt_id]),
            {"item": item.slug, "step": path, "option": option, "confidence": "3"},
        )
        assert response.status_code == 302, response.content[:300]
        page = client.get(response["Location"]).content.decode()
    assert "bond +1" in page and "The bond is repaired" in page  # the last reply's change and the ending
    result = client.get(reverse("quizzes:result", args=[attempt_id])).content.decode()
    assert 'data-testid="session-summary"' in result and "<svg" in result and "bond from 2 to 4" in result
    replay = reverse("quizzes:session_replay", args=[item.pk])
    answers = Answer.objects.count()
    ending = client.get(replay, {"path": "d"}).content.decode()
    assert "She leaves early" in ending and Answer.objects.count() == answers  # unscored: nothing written
    assert client.get(replay, {"path": "a.zz"}).status_code == 400
    other = enroll(UserFactory(username="not-played"), CohortFactory(course=item.course))
    client.force_login(other)
    assert client.get(replay).status_code == 404  # only a session one has finished can be replayed


@pytest.mark.django_db
def test_an_exam_quiz_hides_the_state_after_each_reply(make_package, raw_session, client):
    from django.urls import reverse

    course_import(make_package(package_files(raw_session)))
    item = Item.objects.get(slug="m1-session-ines")
    Quiz.objects.filter(pk=item.quiz_id).update(show_state=False)
    client.force_login(enroll(UserFactory(username="exam-trainee"), CohortFactory(course=item.course)))
    attempt_url = client.post(reverse("quizzes:start", args=[item.quiz_id]))["Location"]
    attempt_id = int(attempt_url.rstrip("/").split("/")[-1])
    response = client.post(
        reverse("quizzes:answer", args=[attempt_id]), {"item": item.slug, "step": "", "option": "a", "confidence": "3"}
    )
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="state-changes"' not in page and "Maybe. It felt like" in page


@pytest.mark.django_db
def test_the_api_gives_the_state_after_each_reply_and_the_trajectory(make_package, raw_session):
    from rest_framework.test import APIClient

    course_import(make_package(package_files(raw_session)))
    item = Item.objects.get(slug="m1-session-ines")
    api = APIClient()
    api.force_authenticate(enroll(UserFactory(username="api-trainee"), CohortFactory(course=item.course)))
    started = api.post(f"/api/v1/quizzes/{item.quiz_id}/attempts/")
    assert started.status_code == 201
    attempt = started.json()
    assert attempt["current"]["state"] == {"bond": 2, "arousal": 3, "openness": 1}
    assert api.get(f"/api/v1/attempts/{attempt['id']}/").json() == attempt  # the read's plain dict, the same
    answered = api.post(
        f"/api/v1/attempts/{attempt['id']}/answers/", {"item": item.slug, "step": "", "option": "a", "confidence": 3}
    )
    assert answered.status_code == 200, answered.json()
    session = answered.json()["session"]
    assert session["state"] == {"bond": 3, "arousal": 3, "openness": 2} and session["ending"] is None
    assert {"variable": "bond", "change": 1} in session["changes"]
    assert answered.json()["client_reply"].startswith("Maybe.")
    last = api.post(
        f"/api/v1/attempts/{attempt['id']}/answers/", {"item": item.slug, "step": "a", "option": "a", "confidence": 3}
    ).json()
    assert last["session"]["ending"]["id"] == "end-repaired" and last["client_reply"] is None
    result = api.get(f"/api/v1/attempts/{attempt['id']}/result/").json()
    assert result["sessions"][0]["trajectory"]["bond"] == [2, 3, 4] and result["sessions"][0]["score"] == 1.0


def test_the_graph_command_prints_turns_rules_and_endings(make_package, raw_session):
    from io import StringIO

    from django.core.management import call_command

    path = str(make_package(package_files(raw_session)))
    out = StringIO()
    call_command("session_graph", "m1-session-ines", path, stdout=out)
    text = out.getvalue()
    assert "turn t1 (start)" in text and "  d [grade 0] bond -2, arousal +2" in text
    assert "  then when bond >= 3 -> t2-open" in text and "ending end-leaves (poor): 9 paths" in text
    dot = StringIO()
    call_command("session_graph", "m1-session-ines", path, "--dot", stdout=dot)
    assert dot.getvalue().startswith('digraph "m1-session-ines" {') and '"t1" -> "t2-open"' in dot.getvalue()


def test_item_analysis_shows_a_cohorts_endings_and_where_bonds_fell(spec):
    from quizzes.instructor import stats

    picks = [
        stats.Pick(1, "s", "", "a", 3),
        stats.Pick(1, "s", "a", "a", 3),  # attempt 1: repaired
        stats.Pick(2, "s", "", "d", 0),  # attempt 2: left at once
        stats.Pick(3, "s", "", "d", 0),  # attempt 3: left at once
    ]
    stat = stats.analyse_item("s", spec, "It's fine.", picks, frozenset({1}), frozenset({2}))
    assert stat.session.endings == [("end-leaves", "poor", 2), ("end-repaired", "good", 1)]
    turn, variable, change, replies = stat.session.moves[0]
    assert (turn, variable, replies) == ("t1", "bond", 3) and change == pytest.approx((1 - 2 - 2) / 3)
    assert [s.path for s in stat.steps] == ["", "a"]  # only the positions the cohort reached
