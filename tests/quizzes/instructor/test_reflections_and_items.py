import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from quizzes.instructor.csvexport import safe_cell
from quizzes.models import Reflection, ReflectionAccess
from tests.conftest import UserFactory, enroll
from tests.quizzes.instructor.conftest import GOOD, HARMFUL, RUBRIC, play


@pytest.fixture
def api(instructor):
    client = APIClient()
    client.force_authenticate(instructor)
    return client


def reflection_url(cohort, reflection, api=False):
    name = "api-instructor-reflection" if api else "quizzes_instructor:reflection"
    return reverse(name, args=[cohort.pk, reflection.pk])


def test_opening_a_reflection_writes_an_audit_row_without_the_text(client, cohort, played, instructor):
    reflection = played.reflection
    client.force_login(instructor)
    response = client.get(reflection_url(cohort, reflection))
    assert response.status_code == 200 and "I rushed to defend myself." in response.content.decode()
    client.get(reflection_url(cohort, reflection))
    accesses = list(ReflectionAccess.objects.filter(reflection=reflection))
    assert len(accesses) == 2 and {a.viewer_id for a in accesses} == {instructor.pk}
    assert not any("rushed" in str(value) for a in accesses for value in vars(a).values())


def test_the_api_read_is_audited_too(api, cohort, played):
    response = api.get(reflection_url(cohort, played.reflection, api=True))
    assert response.status_code == 200 and response.json()["rubric"] == RUBRIC
    assert ReflectionAccess.objects.filter(reflection=played.reflection).count() == 1


def test_listing_a_trainee_does_not_open_their_reflections(client, cohort, played, trainee, instructor):
    client.force_login(instructor)
    html = client.get(reverse("quizzes_instructor:trainee", args=[cohort.pk, trainee.pk])).content.decode()
    assert "Reflection on First steps" in html and "I rushed" not in html
    assert not ReflectionAccess.objects.exists()


def test_trainee_page_shows_each_step_and_the_free_reply(client, cohort, quiz, trainee, instructor):
    play(trainee, quiz, GOOD)
    client.force_login(instructor)
    html = client.get(reverse("quizzes_instructor:trainee", args=[cohort.pk, trainee.pk])).content.decode()
    assert "branch step after “a”" in html and "Go on then." in html and "Welcome it" in html


def test_scoring_a_reflection_the_trainee_then_sees_the_comment(client, cohort, played, trainee, instructor):
    client.force_login(instructor)
    response = client.post(
        reflection_url(cohort, played.reflection), {"score-0": "2", "score-1": "1", "comment": "Good noticing."}
    )
    assert response.status_code == 302
    reflection = Reflection.objects.get(pk=played.reflection.pk)
    assert reflection.rubric_scores == {RUBRIC[0]: 2, RUBRIC[1]: 1}
    assert reflection.scored_by == instructor and reflection.scored_at is not None
    client.force_login(trainee)
    assert "Good noticing." in client.get(reverse("quizzes:result", args=[played.pk])).content.decode()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"rubric_scores": {RUBRIC[0]: 3, RUBRIC[1]: 1}}, "rubric_scores"),
        ({"rubric_scores": {RUBRIC[0]: 1}}, "rubric_scores"),
        ({"rubric_scores": {RUBRIC[0]: 1, RUBRIC[1]: 1, "Invented": 2}}, "rubric_scores"),
        ({"rubric_scores": {RUBRIC[0]: 1, RUBRIC[1]: 1}, "comment": "x" * 2001}, "comment"),
        ({"rubric_scores": {RUBRIC[0]: 1, RUBRIC[1]: 1}, "comment": "bad\x00"}, "comment"),
    ],
)
def test_bad_scores_are_400_naming_the_field(payload, field, api, cohort, played):
    response = api.put(reflection_url(cohort, played.reflection, api=True), payload, format="json")
    assert response.status_code == 400 and field in response.json()
    assert Reflection.objects.get(pk=played.reflection.pk).scored_at is None


def test_bad_score_on_the_page_is_400_and_keeps_the_form(client, cohort, played, instructor):
    client.force_login(instructor)
    response = client.post(reflection_url(cohort, played.reflection), {"score-0": "2", "comment": "Half done"})
    assert response.status_code == 400 and "missing a score" in response.content.decode()
    assert "Half done" in response.content.decode()


@pytest.mark.parametrize("value", ["²", "9" * 5000, "-1", "1.5"])
def test_a_malformed_score_on_the_page_is_400_not_500(value, client, cohort, played, instructor):
    client.force_login(instructor)
    response = client.post(reflection_url(cohort, played.reflection), {"score-0": value, "score-1": "1"})
    assert (
        response.status_code == 400 and f"rubric_scores: '{RUBRIC[0]}' must be 0, 1 or 2" in response.context["error"]
    )
    assert Reflection.objects.get(pk=played.reflection.pk).scored_at is None


def test_scoring_twice_keeps_one_score_and_the_latest_values(client, cohort, played, instructor):
    client.force_login(instructor)
    for _ in range(2):
        response = client.post(reflection_url(cohort, played.reflection), {"score-0": "2", "score-1": "1"})
        assert response.status_code == 302
    assert Reflection.objects.get(pk=played.reflection.pk).rubric_scores == {RUBRIC[0]: 2, RUBRIC[1]: 1}


def test_the_trainee_is_told_once_when_their_reflection_is_answered(client, cohort, played, instructor):
    from quizzes.reminders.models import Notification

    client.force_login(instructor)
    for _ in range(2):  # a double submit
        client.post(
            reflection_url(cohort, played.reflection), {"score-0": "2", "score-1": "1", "comment": "Well seen."}
        )
    assert Reflection.objects.get(pk=played.reflection.pk).instructor_comment == "Well seen."
    notification = Notification.objects.get(user=played.reflection.author)
    assert notification.link == f"/quizzes/attempts/{played.reflection.attempt_id}/result/#reflection"
    assert "Well seen" not in notification.title + notification.body  # a link, never the text
    client.post(reflection_url(cohort, played.reflection), {"score-0": "1", "score-1": "1", "comment": "Well seen."})
    assert Notification.objects.filter(user=played.reflection.author).count() == 2


def test_every_response_that_shows_the_text_is_audited(client, api, cohort, played, instructor):
    """The API's PUT answers with the text, and a page POST with a bad score shows it again:
    both are openings, so both write the audit row."""
    reflection = played.reflection
    response = api.put(
        reflection_url(cohort, reflection, api=True), {"rubric_scores": {RUBRIC[0]: 1, RUBRIC[1]: 1}}, format="json"
    )
    assert response.status_code == 200 and response.json()["text"] == "I rushed to defend myself."
    assert ReflectionAccess.objects.filter(reflection=reflection, viewer=instructor).count() == 1
    client.force_login(instructor)
    response = client.post(reflection_url(cohort, reflection), {"score-0": "2"})
    assert response.status_code == 400 and "I rushed to defend myself." in response.content.decode()
    assert ReflectionAccess.objects.filter(reflection=reflection, viewer=instructor).count() == 2


def test_a_reflection_unshared_before_scoring_is_not_scored(api, cohort, played):
    from quizzes.instructor import services

    reflection = played.reflection
    Reflection.objects.filter(pk=reflection.pk).update(shared=False)
    with pytest.raises(services.Conflict):
        services.reflection_score(reflection, None, {RUBRIC[0]: 1, RUBRIC[1]: 1}, "")
    assert api.put(reflection_url(cohort, reflection, api=True), {}, format="json").status_code == 404


def test_item_analysis_page_and_csv(client, cohort, quiz, trainee, instructor):
    play(trainee, quiz, GOOD)
    for name in ("b1", "b2", "b3"):
        play(enroll(UserFactory(username=name), cohort), quiz, HARMFUL)
    client.force_login(instructor)
    response = client.get(reverse("quizzes_instructor:item_analysis", args=[cohort.pk, quiz.pk]))
    analysis = response.context["analysis"]
    tomas = analysis.stats.items[0]
    assert analysis.stats.attempts == 4
    assert tomas.facility == pytest.approx(3 / 12) and tomas.discrimination == pytest.approx(1.0)
    assert {p.path: p.count for p in tomas.paths} == {"a.a": 1, "c": 3}
    page = response.content.decode()
    assert "0, harmful" in page
    # each option's tags, with their polarity and the course's names
    first = tomas.steps[0].options
    assert first[2].dimensions == (("Persuasiveness", "breaks"), ("Warmth, acceptance and understanding", "breaks"))
    assert "breaks Persuasiveness" in page and "shows Alliance-rupture-repair responsiveness" in page

    csv_response = client.get(reverse("quizzes_instructor:item_analysis_csv", args=[cohort.pk, quiz.pk]))
    lines = b"".join(csv_response.streaming_content).decode().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("item,item_id,skill,skill_id,answered,facility,discrimination")
    # No client name in the fixture's vignette: the title falls back to the skill name and the slug.
    title, skill = "Repairing a confrontation rupture (tomas)", "Repairing a confrontation rupture"
    assert f"{title},tomas,{skill},rupture.confrontation.repair,4,0.25,1.00,100,,first,c,0,yes,no,3,75,0,1" in lines[3]
    assert len(lines) == 1 + 3 + 2 + 3  # tomas first step, tomas branch, mira


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+2", "'=1+2"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-cmd", "'-cmd"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        (" =1+2", "' =1+2"),
        ('"=1+2', "'\"=1+2"),
        ("  @SUM(A1)", "'  @SUM(A1)"),
        ("\n+1", "'\n+1"),
        ("' -cmd", "'' -cmd"),
        ("-0.250", "-0.250"),
        ("Ann", "Ann"),
        (None, ""),
        (3, "3"),
        (True, "yes"),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_api_is_in_the_schema(client):
    schema = client.get(reverse("schema")).content.decode()
    for path in (
        "/api/v1/instructor/cohorts/",
        "/api/v1/instructor/cohorts/{cohort_id}/",
        "/api/v1/instructor/cohorts/{cohort_id}/trainees/{user_id}/",
        "/api/v1/instructor/cohorts/{cohort_id}/reflections/{reflection_id}/",
        "/api/v1/instructor/cohorts/{cohort_id}/quizzes/{quiz_id}/",
    ):
        assert path in schema


def test_trainee_page_shows_practice_levels_by_skill_name(client, cohort, quiz, trainee, instructor):
    from quizzes.review.models import SkillLevel

    client.force_login(instructor)
    url = reverse("quizzes_instructor:trainee", args=[cohort.pk, trainee.pk])
    assert "No practice level yet" in client.get(url).content.decode()
    play(trainee, quiz, GOOD)
    assert SkillLevel.objects.filter(user=trainee).exists()
    html = client.get(url).content.decode()
    assert 'data-testid="practice-levels"' in html and "Immediacy: speaking to what happens between us" in html


def test_trainee_page_lists_practice_levels_in_the_courses_skill_order(client, cohort, trainee, instructor):
    from django.utils import timezone

    from quizzes.review.models import SkillLevel

    # Alphabetically by name these would read Immediacy, Negotiating, Responding, Warmth.
    for skill in ["here_and_now.immediacy", "warmth.acceptance", "retired.skill", "alliance.goal_negotiation"]:
        SkillLevel.objects.create(user=trainee, course=cohort.course, skill=skill, updated_at=timezone.now())
    SkillLevel.objects.create(
        user=trainee,
        course=cohort.course,
        skill="empathy.underlying_feeling",
        level="advanced",
        updated_at=timezone.now(),
    )
    client.force_login(instructor)
    html = client.get(reverse("quizzes_instructor:trainee", args=[cohort.pk, trainee.pk])).content.decode()
    table = html[html.index('data-testid="practice-levels"') :]
    names = [
        "Negotiating goals",
        "Responding to the underlying feeling",
        "Warmth and acceptance under pressure",
        "Immediacy: speaking to what happens between us",
        "retired.skill",  # no longer in the vocabulary: last, by key
    ]
    spots = [table.index(name) for name in names]
    assert spots == sorted(spots)
    assert "<td>Responding to the underlying feeling</td><td>Advanced</td>" in table


def test_a_lone_surrogate_or_odd_score_in_the_api_is_a_400_naming_the_field(api, cohort, played):
    url = reflection_url(cohort, played.reflection, api=True)
    scores = {RUBRIC[0]: 2, RUBRIC[1]: 1}
    body = json.dumps({"rubric_scores": scores, "comment": "a\ud800b"})  # ASCII JSON: "\\ud800"
    response = api.put(url, body, content_type="application/json")
    assert response.status_code == 400 and list(response.json()) == ["comment"]
    for odd in ["²", "9" * 5000, 3]:
        response = api.put(url, {"rubric_scores": {**scores, RUBRIC[0]: odd}}, format="json")
        assert response.status_code == 400 and list(response.json()) == ["rubric_scores"]
    response = api.put(url, {"rubric_scores": {RUBRIC[0]: 2}}, format="json")
    assert response.status_code == 400 and "missing a score" in str(response.json()["rubric_scores"])
    assert Reflection.objects.get(pk=played.reflection.pk).scored_at is None


@pytest.mark.django_db(transaction=True)
def test_six_identical_scores_at_once_notify_once(postgres, cohort, played, trainee, instructor):
    import threading

    from django.db import connection

    from quizzes.reminders.models import Notification

    barrier = threading.Barrier(6)
    statuses = []

    def score():
        try:
            client = APIClient()
            client.force_authenticate(instructor)
            barrier.wait()
            url = reflection_url(cohort, played.reflection, api=True)
            body = {"rubric_scores": {RUBRIC[0]: 2, RUBRIC[1]: 1}, "comment": "Good noticing."}
            statuses.append(client.put(url, body, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=score) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 6
    assert Notification.objects.filter(user=trainee).count() == 1


def test_a_different_score_later_notifies_again(cohort, played, trainee, instructor):
    from quizzes.instructor import services
    from quizzes.reminders.models import Notification

    services.reflection_score(played.reflection, instructor, {RUBRIC[0]: 1, RUBRIC[1]: 1}, "")
    services.reflection_score(played.reflection, instructor, {RUBRIC[0]: 1, RUBRIC[1]: 1}, "")
    assert Notification.objects.filter(user=trainee).count() == 1
    services.reflection_score(played.reflection, instructor, {RUBRIC[0]: 2, RUBRIC[1]: 1}, "Better.")
    assert Notification.objects.filter(user=trainee).count() == 2
