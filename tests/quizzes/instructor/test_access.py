"""Every instructor URL (pages and API) against every persona.

trainee / other trainee: 403 (they teach nothing); instructor: 200; instructor of another
cohort: 404 for anything of this cohort; anonymous: login redirect (pages) or 401/403 (API);
an instructor removed from the cohort: refused on their very next request."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from quizzes.models import ReflectionAccess
from tests.conftest import UserFactory
from tests.quizzes.instructor.conftest import GOOD, play

PAGES = [
    ("quizzes_instructor:dashboard", ["cohort"]),
    ("quizzes_instructor:dashboard_csv", ["cohort"]),
    ("quizzes_instructor:charts", ["cohort"]),
    ("quizzes_instructor:trainee", ["cohort", "trainee"]),
    ("quizzes_instructor:reflection", ["cohort", "reflection"]),
    ("quizzes_instructor:quizzes", ["cohort"]),
    ("quizzes_instructor:item_analysis", ["cohort", "quiz"]),
    ("quizzes_instructor:item_analysis_csv", ["cohort", "quiz"]),
]
API = [
    ("api-instructor-dashboard", ["cohort"]),
    ("api-instructor-trainee", ["cohort", "trainee"]),
    ("api-instructor-reflection", ["cohort", "reflection"]),
    ("api-instructor-quizzes", ["cohort"]),
    ("api-instructor-items", ["cohort", "quiz"]),
]
LISTS = [("quizzes_instructor:cohorts", False), ("api-instructor-cohorts", True)]


@pytest.fixture
def ids(cohort, trainee, quiz, played):
    return {"cohort": cohort.pk, "trainee": trainee.pk, "reflection": played.reflection.pk, "quiz": quiz.pk}


def url(name, args, ids):
    return reverse(name, args=[ids[a] for a in args])


def as_user(user, api: bool):
    if api:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    return client


ALL = [(name, args, False) for name, args in PAGES] + [(name, args, True) for name, args in API]


@pytest.mark.parametrize("name, args, api", ALL)
def test_instructor_of_the_cohort_gets_200(name, args, api, ids, instructor):
    assert as_user(instructor, api).get(url(name, args, ids)).status_code == 200


@pytest.mark.parametrize("name, args, api", ALL + [(n, [], api) for n, api in LISTS])
@pytest.mark.parametrize("persona", ["trainee", "other_trainee"])
def test_trainees_get_403(name, args, api, persona, ids, request):
    user = request.getfixturevalue(persona)
    assert as_user(user, api).get(url(name, args, ids)).status_code == 403


@pytest.mark.parametrize("name, args, api", ALL)
def test_instructor_of_another_cohort_gets_404(name, args, api, ids, other_instructor):
    assert as_user(other_instructor, api).get(url(name, args, ids)).status_code == 404


@pytest.mark.parametrize("name, args, api", ALL + [(n, [], api) for n, api in LISTS])
def test_anonymous_is_sent_to_log_in(name, args, api, ids):
    response = as_user(None, api).get(url(name, args, ids))
    if api:
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("name, args, api", ALL)
def test_removed_instructor_is_refused_on_the_next_request(name, args, api, ids, cohort, instructor):
    client = as_user(instructor, api)
    assert client.get(url(name, args, ids)).status_code == 200
    cohort.instructors.remove(instructor)
    assert client.get(url(name, args, ids)).status_code in (403, 404)


@pytest.mark.parametrize("name, args, api", ALL)
def test_removed_instructor_who_still_teaches_elsewhere_gets_404(name, args, api, ids, cohort, instructor):
    from tests.conftest import CohortFactory

    CohortFactory(course=cohort.course, name="Spring").instructors.add(instructor)
    client = as_user(instructor, api)
    cohort.instructors.remove(instructor)
    assert client.get(url(name, args, ids)).status_code == 404


@pytest.mark.parametrize("api", [False, True])
def test_cohort_list_shows_only_cohorts_i_teach(api, cohort, instructor, other_instructor):
    mine = as_user(instructor, api).get(reverse(LISTS[api][0]))
    theirs = as_user(other_instructor, api).get(reverse(LISTS[api][0]))
    assert cohort.name in mine.content.decode()
    assert cohort.name not in theirs.content.decode() and theirs.status_code == 200


@pytest.mark.parametrize("name, api", [("quizzes_instructor:trainee", False), ("api-instructor-trainee", True)])
def test_a_trainee_of_another_cohort_is_404(name, api, ids, instructor, second_cohort_trainee):
    assert (
        as_user(instructor, api).get(reverse(name, args=[ids["cohort"], second_cohort_trainee.pk])).status_code == 404
    )


@pytest.mark.parametrize("name, api", [("quizzes_instructor:reflection", False), ("api-instructor-reflection", True)])
def test_a_private_reflection_is_404_and_not_audited(name, api, ids, instructor, quiz, trainee, cohort):
    from tests.conftest import enroll

    classmate = enroll(UserFactory(username="classmate"), cohort)
    private = play(classmate, quiz, GOOD, reflection="Only for me.", shared=False).reflection
    assert as_user(instructor, api).get(reverse(name, args=[cohort.pk, private.pk])).status_code == 404
    assert not ReflectionAccess.objects.filter(reflection=private).exists()


# ---------------------------------------------------------------- staff: is_staff alone grants nothing


def staff_with_view_all(username="overseer", via_group=False, **flags):
    from django.contrib.auth.models import Group, Permission

    user = UserFactory(username=username, is_staff=True, **flags)
    permission = Permission.objects.get(codename="view_all_cohorts", content_type__app_label="attune_course")
    if via_group:
        group, _ = Group.objects.get_or_create(name="Course directors")
        group.permissions.add(permission)
        user.groups.add(group)
    else:
        user.user_permissions.add(permission)
    return user


@pytest.mark.parametrize("name, args, api", ALL + [(n, [], api) for n, api in LISTS])
def test_staff_without_the_permission_who_teach_nothing_get_403(name, args, api, ids):
    staff = UserFactory(username="staff", is_staff=True)
    assert as_user(staff, api).get(url(name, args, ids)).status_code == 403


@pytest.mark.parametrize("name, args, api", ALL)
def test_staff_without_the_permission_see_only_the_cohorts_they_teach(name, args, api, ids, db):
    from tests.conftest import CohortFactory

    staff = UserFactory(username="staff", is_staff=True)
    CohortFactory(name="Theirs").instructors.add(staff)
    assert as_user(staff, api).get(url(name, args, ids)).status_code == 404


@pytest.mark.parametrize("api", [False, True])
def test_staff_without_the_permission_list_only_their_cohorts_and_open_only_their_courses(api, ids, cohort, db):
    from tests.conftest import CohortFactory

    staff = UserFactory(username="staff", is_staff=True)
    CohortFactory(name="Theirs").instructors.add(staff)
    listing = as_user(staff, api).get(reverse(LISTS[api][0]))
    assert listing.status_code == 200
    assert "Theirs" in listing.content.decode() and cohort.name not in listing.content.decode()
    assert as_user(staff, False).get(reverse("course:course", args=[cohort.course.slug])).status_code == 404


@pytest.mark.parametrize("name, args, api", ALL)
@pytest.mark.parametrize("persona", ["user_permission", "group_permission", "superuser"])
def test_the_permission_shows_every_cohort(name, args, api, persona, ids, cohort):
    if persona == "superuser":
        user = UserFactory(username="root", is_staff=True, is_superuser=True)
    else:
        user = staff_with_view_all(via_group=persona == "group_permission")
    assert as_user(user, api).get(url(name, args, ids)).status_code == 200
    assert as_user(user, False).get(reverse("course:course", args=[cohort.course.slug])).status_code == 200


@pytest.mark.parametrize("name, api", [("quizzes_instructor:reflection", False), ("api-instructor-reflection", True)])
@pytest.mark.parametrize("superuser", [False, True])
def test_reflections_read_under_the_permission_are_audited_like_an_instructors(name, api, superuser, ids, played):
    user = UserFactory(username="root", is_staff=True, is_superuser=True) if superuser else staff_with_view_all()
    response = as_user(user, api).get(reverse(name, args=[ids["cohort"], ids["reflection"]]))
    assert response.status_code == 200
    assert list(ReflectionAccess.objects.values_list("reflection_id", "viewer_id")) == [(played.reflection.pk, user.pk)]


@pytest.mark.parametrize("holder", [True, False])
def test_the_reflection_api_follows_the_same_rule_and_audit(holder, ids, played):
    user = staff_with_view_all() if holder else UserFactory(username="staff", is_staff=True)
    response = as_user(user, True).get(reverse("api-reflection", args=[ids["reflection"]]))
    assert response.status_code == (200 if holder else 404)
    assert ReflectionAccess.objects.filter(viewer=user).count() == (1 if holder else 0)


@pytest.mark.parametrize("name, api", [("quizzes_instructor:reflection", False), ("api-instructor-reflection", True)])
def test_the_permission_never_opens_a_private_reflection(name, api, quiz, trainee, cohort):
    private = play(trainee, quiz, GOOD, reflection="Only for me.", shared=False).reflection
    response = as_user(staff_with_view_all(), api).get(reverse(name, args=[cohort.pk, private.pk]))
    assert response.status_code == 404
    assert not ReflectionAccess.objects.exists()


def test_the_permission_counts_for_staff_accounts_only(ids):
    not_staff = staff_with_view_all(username="not_staff")
    not_staff.is_staff = False
    not_staff.save()
    assert as_user(not_staff, False).get(url("quizzes_instructor:dashboard", ["cohort"], ids)).status_code == 403


@pytest.mark.parametrize("name, args, api", ALL)
def test_a_revoked_permission_is_refused_on_the_next_request(name, args, api, ids):
    from django.contrib.auth.models import Permission

    user = staff_with_view_all()
    client = as_user(user, api)
    assert client.get(url(name, args, ids)).status_code == 200
    user.user_permissions.remove(Permission.objects.get(codename="view_all_cohorts"))
    if api:  # force_authenticate hands the view the same object; a real request loads the user afresh
        client.force_authenticate(type(user).objects.get(pk=user.pk))
    assert client.get(url(name, args, ids)).status_code == 403


def test_a_quiz_of_another_course_is_404(ids, instructor, db):
    from quizzes.models import Quiz
    from tests.conftest import ModuleFactory

    foreign = Quiz.objects.create(module=ModuleFactory())
    page = reverse("quizzes_instructor:item_analysis", args=[ids["cohort"], foreign.pk])
    assert as_user(instructor, False).get(page).status_code == 404


READ_ONLY_PAGES = [(n, a) for n, a in PAGES if n != "quizzes_instructor:reflection"] + [
    ("quizzes_instructor:reflections", ["cohort"]),
    ("quizzes_instructor:cohorts", []),
]


@pytest.mark.parametrize("name, args", READ_ONLY_PAGES)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_read_only_pages_refuse_other_methods_with_405(name, args, method, ids, instructor):
    assert getattr(as_user(instructor, False), method)(url(name, args, ids)).status_code == 405
