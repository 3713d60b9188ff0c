"""The reflections queue, the trainee page's summary and names, and what the trainee sees of a score."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.instructor import labels
from quizzes.models import Reflection
from quizzes.review.models import ReviewCard
from tests.conftest import UserFactory, enroll
from tests.quizzes.instructor.conftest import GOOD, HARMFUL, RUBRIC, play


def _age(attempt, days: int) -> Reflection:
    """Date an attempt's reflection `days` back, so the queue's order is known."""
    Reflection.objects.filter(attempt=attempt).update(created_at=timezone.now() - timedelta(days=days))
    return Reflection.objects.get(attempt=attempt)


@pytest.fixture
def three_shared(cohort, quiz, trainee):
    """Three shared reflections written 5, 9 and 2 days ago, and one private one."""
    anna = enroll(UserFactory(username="anna", first_name="Anna", last_name="Ng"), cohort)
    ben = enroll(UserFactory(username="ben", first_name="Ben", last_name="Ode"), cohort)
    middle = _age(play(trainee, quiz, HARMFUL, reflection="Middle one.", shared=True), 5)
    oldest = _age(play(anna, quiz, GOOD, reflection="Oldest one.", shared=True), 9)
    newest = _age(play(ben, quiz, GOOD, reflection="Newest one.", shared=True), 2)
    play(ben, quiz, GOOD, reflection="Kept to myself.", shared=False)
    return oldest, middle, newest


def queue_url(cohort):
    return reverse("quizzes_instructor:reflections", args=[cohort.pk])


def test_the_queue_lists_unscored_first_and_the_oldest_first(client, cohort, instructor, three_shared):
    oldest, middle, newest = three_shared
    scored = timezone.now() - timedelta(days=1)
    Reflection.objects.filter(pk=oldest.pk).update(scored_at=scored, rubric_scores={RUBRIC[0]: 1})
    Reflection.objects.filter(pk=oldest.pk).update(updated_at=scored + timedelta(hours=2))  # edited after
    client.force_login(instructor)
    response = client.get(queue_url(cohort))
    assert response.status_code == 200
    assert [r.pk for r in response.context["queue"]] == [middle.pk, newest.pk, oldest.pk]
    html = response.content.decode()
    assert "2 waiting for a score" in html and "Kept to myself" not in html and "Middle one" not in html
    assert "edited since the score" in html
    score_oldest = f"{reverse('quizzes_instructor:reflection', args=[cohort.pk, middle.pk])}?from=queue"
    assert f'href="{score_oldest}" data-testid="score-oldest"' in html


def test_the_count_is_on_the_cohort_list_and_the_dashboard(client, cohort, instructor, three_shared):
    client.force_login(instructor)
    assert "3 reflections waiting for a score" in client.get(reverse("quizzes_instructor:cohorts")).content.decode()
    html = client.get(reverse("quizzes_instructor:dashboard", args=[cohort.pk])).content.decode()
    assert "Reflections: 3 waiting for a score" in html


def test_another_instructors_cohort_counts_nothing_here(client, cohort, other_instructor, three_shared):
    client.force_login(other_instructor)
    assert "0 reflections waiting" in client.get(reverse("quizzes_instructor:cohorts")).content.decode()
    assert client.get(queue_url(cohort)).status_code == 404


def test_scoring_from_the_queue_opens_the_next_unscored(client, cohort, instructor, three_shared):
    oldest, middle, newest = three_shared
    client.force_login(instructor)
    url = reverse("quizzes_instructor:reflection", args=[cohort.pk, oldest.pk])
    page = client.get(url, {"from": "queue"}).content.decode()
    assert '<input type="hidden" name="from" value="queue">' in page and "Save score and open the next" in page
    response = client.post(url, {"score-0": "2", "score-1": "2", "from": "queue"})
    following = reverse("quizzes_instructor:reflection", args=[cohort.pk, middle.pk])
    assert response.status_code == 302 and response["Location"] == f"{following}?from=queue"
    for reflection in (middle, newest):
        url = reverse("quizzes_instructor:reflection", args=[cohort.pk, reflection.pk])
        response = client.post(url, {"score-0": "1", "score-1": "1", "from": "queue"})
    assert response.status_code == 302 and response["Location"] == queue_url(cohort)
    assert not Reflection.objects.filter(shared=True, scored_at__isnull=True).exists()


def test_scoring_from_the_trainee_page_goes_back_there(client, cohort, instructor, trainee, three_shared):
    _, middle, _ = three_shared
    client.force_login(instructor)
    url = reverse("quizzes_instructor:reflection", args=[cohort.pk, middle.pk])
    response = client.post(url, {"score-0": "2", "score-1": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("quizzes_instructor:trainee", args=[cohort.pk, trainee.pk])


def test_the_trainee_sees_the_rubric_score_and_comment_at_the_anchor(client, cohort, instructor, trainee, played):
    from quizzes.reminders.models import Notification

    client.force_login(instructor)
    url = reverse("quizzes_instructor:reflection", args=[cohort.pk, played.reflection.pk])
    client.post(url, {"score-0": "2", "score-1": "1", "comment": "Well noticed."})
    link = Notification.objects.get(user=trainee).link
    path, anchor = link.split("#")
    client.force_login(trainee)
    html = client.get(path).content.decode()
    assert f'id="{anchor}"' in html
    assert "Score: 3 of 4" in html and "Well noticed." in html
    assert f'<th scope="row">{RUBRIC[0]}</th><td>2 of 2</td>' in html
    assert f'<th scope="row">{RUBRIC[1]}</th><td>1 of 2</td>' in html


def test_an_unscored_reflection_shows_no_score_to_the_trainee(client, trainee, played):
    client.force_login(trainee)
    html = client.get(reverse("quizzes:result", args=[played.pk])).content.decode()
    assert 'id="reflection"' in html and 'data-testid="instructor-response"' not in html


def test_trainee_page_has_a_summary_and_names_not_keys(client, cohort, quiz, trainee, instructor):
    quiz.items.filter(slug="tomas").update(vignette="Tomás, 44, a site foreman, came after his business failed.")
    play(trainee, quiz, HARMFUL)
    ReviewCard.objects.filter(user=trainee).delete()  # the quiz dealt cards; these three have known dues
    now = timezone.now()
    for n, due in enumerate((now - timedelta(days=3), now - timedelta(minutes=5), now + timedelta(days=4))):
        ReviewCard.objects.create(
            user=trainee, course=cohort.course, kind=ReviewCard.SKILL, skill=f"s{n}", due=due, created_at=now
        )
    client.force_login(instructor)
    response = client.get(reverse("quizzes_instructor:trainee", args=[cohort.pk, trainee.pk]))
    assert response.status_code == 200
    summary = response.context["detail"].summary
    assert (summary.reviews_due, summary.row.overdue_reviews) == (2, 1)
    assert (summary.quizzes_passed, summary.quizzes_total, summary.modules_total) == (0, 1, 2)
    weak = {w.name: (w.share, w.harmful) for w in summary.weak_skills}
    assert weak == {
        "Repairing a confrontation rupture": (0.0, 1),
        "Immediacy: speaking to what happens between us": (0.0, 1),
    }
    html = response.content.decode()
    assert "2 due now, 1 overdue" in html and "0 of 2 modules completed (0%)" in html
    assert "Tomás, 44 · Repairing a confrontation rupture" in html
    assert "rupture.confrontation.repair" not in html


def test_trainee_page_explains_review_ratings_in_words(client, cohort, quiz, trainee, instructor):
    from quizzes.review.models import ReviewLog

    item = quiz.items.get(slug="mira")
    card = ReviewCard.objects.create(
        user=trainee, course=cohort.course, kind=ReviewCard.SKILL, skill=item.skill, due=timezone.now(),
        created_at=timezone.now(),
    )  # fmt: skip
    ReviewLog.objects.create(
        client_id="00000000-0000-0000-0000-000000000001", card=card, user=trainee, item=item, grade=2, rating=2,
        reviewed_at=timezone.now(), due_before=timezone.now(), due_after=timezone.now() + timedelta(days=2),
    )  # fmt: skip
    client.force_login(instructor)
    html = client.get(reverse("quizzes_instructor:trainee", args=[cohort.pk, trainee.pk])).content.decode()
    assert '<strong>Hard</strong> <span class="meta">acceptable reply: the next gap grows a little</span>' in html
    assert "Skill: Immediacy: speaking to what happens between us" in html
    assert "Again (weak or harmful reply, back soon)" in html


@pytest.mark.parametrize(
    "vignette, skill, expected",
    [
        ("Idris, 33, a night-shift warehouse supervisor", "Naming a strain", "Idris, 33 · Naming a strain"),
        ("Joaquín, 52, has used a wheelchair", "", "Joaquín, 52"),
        ("Helen, a school librarian", "Withdrawal", "Helen · Withdrawal"),
        ("A 45-year-old man, tired", "Withdrawal", "Withdrawal (m4-x)"),
        ("v", "", "m4-x"),
    ],
)
def test_item_title_reads_the_client_from_the_vignette(vignette, skill, expected):
    assert labels.item_title("m4-x", vignette, skill) == expected


# session, user, "teaches anything?", cohort, trainee, attempts, free replies, answers, reflections,
# skill names, review history, practice levels, then the summary: the dashboard's queries for one
# row (modules, enrollment, lessons, results, attempts, practice levels, skill tallies, overdue
# cards) and the due count; and the nav's unread count
TRAINEE_PAGE_QUERIES = 22
QUEUE_QUERIES = 6  # session, user, "teaches anything?", cohort, the queue, the nav's unread count


@pytest.mark.parametrize("size", [3, 40])
def test_trainee_page_and_queue_run_in_a_constant_number_of_queries(
    size, client, cohort, quiz, trainee, instructor, django_assert_num_queries
):
    from tests.quizzes.instructor.conftest import bulk_cohort

    bulk_cohort(cohort, quiz, size)
    for _ in range(2):
        play(trainee, quiz, HARMFUL, reflection=None)
    for user in enroll(UserFactory(username="r1"), cohort), enroll(UserFactory(username="r2"), cohort):
        play(user, quiz, GOOD, reflection="Shared.", shared=True)
    client.force_login(instructor)
    url = reverse("quizzes_instructor:trainee", args=[cohort.pk, trainee.pk])
    client.get(url)
    with django_assert_num_queries(TRAINEE_PAGE_QUERIES):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(QUEUE_QUERIES):
        assert len(client.get(queue_url(cohort)).context["queue"]) == 2


def test_the_api_gives_the_queue_the_counts_and_the_summary(cohort, instructor, trainee, three_shared):
    from rest_framework.test import APIClient

    oldest, middle, newest = three_shared
    api = APIClient()
    api.force_authenticate(instructor)
    cohorts = api.get(reverse("api-instructor-cohorts")).json()
    assert [(c["name"], c["reflections_waiting"]) for c in cohorts] == [("Autumn", 3)]
    queue = api.get(reverse("api-instructor-reflections", args=[cohort.pk])).json()
    assert [r["id"] for r in queue] == [oldest.pk, middle.pk, newest.pk]
    assert queue[0]["author_name"] == "Anna Ng" and "text" not in queue[0]
    summary = api.get(reverse("api-instructor-trainee", args=[cohort.pk, trainee.pk])).json()["summary"]
    assert (summary["quizzes_passed"], summary["quizzes_total"], summary["modules_total"]) == (0, 1, 2)
    assert {w["name"] for w in summary["weak_skills"]} == {
        "Repairing a confrontation rupture",
        "Immediacy: speaking to what happens between us",
    }
