import json

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from quizzes.admin import ItemForm
from quizzes.models import Item
from tests.conftest import UserFactory

pytestmark = pytest.mark.django_db


def form_data(item, **changes):
    data = model_to_dict(item)
    data["steps"] = json.dumps(data["steps"])
    data.update(changes)
    return data


def test_admin_pages_for_authoring_render(client, quiz):
    client.force_login(UserFactory(username="staff", is_staff=True, is_superuser=True))
    item = Item.objects.get(slug="priya")
    for url in (
        reverse("admin:attune_quizzes_item_changelist"),
        reverse("admin:attune_quizzes_item_change", args=[item.pk]),
        reverse("admin:attune_quizzes_quiz_change", args=[quiz.pk]),
        reverse("admin:attune_course_module_changelist"),
        reverse("admin:attune_course_cohort_add"),
        reverse("admin:attune_course_course_changelist"),
    ):
        assert client.get(url).status_code == 200, url


def test_item_form_refuses_a_broken_option_tree_naming_the_problem(quiz):
    item = Item.objects.get(slug="mira")
    steps = {
        "options": [
            {"id": "a", "text": "x", "grade": 3, "rationale": "r"},
            {"id": "b", "text": "y", "grade": 3, "rationale": "r"},
        ]
    }
    form = ItemForm(data=form_data(item, steps=json.dumps(steps)), instance=item)
    assert not form.is_valid()
    assert "needs exactly one best option" in str(form.errors["steps"])
    no_harm = {
        "options": [
            {"id": "a", "text": "xx", "grade": 3, "rationale": "r"},
            {"id": "b", "text": "yy", "grade": 2, "rationale": "r"},
        ]
    }
    form = ItemForm(data=form_data(item, steps=json.dumps(no_harm)), instance=item)
    assert not form.is_valid() and "first step: needs at least one harmful option" in str(form.errors["steps"])
    form = ItemForm(data=form_data(item, steps="[1, 2]"), instance=item)
    assert not form.is_valid() and "options" in str(form.errors["steps"])


def test_editing_keyed_content_in_the_admin_bumps_the_version(quiz):
    item = Item.objects.get(slug="mira")
    steps = json.loads(json.dumps(item.steps))
    steps["options"][0]["rationale"] = "A clearer reason."
    form = ItemForm(data=form_data(item, steps=json.dumps(steps)), instance=item)
    assert form.is_valid(), form.errors
    assert form.save().version == 2
    unchanged = ItemForm(
        data=form_data(Item.objects.get(slug="mira"), vignette="Mira, 29."), instance=Item.objects.get(slug="mira")
    )
    assert unchanged.is_valid() and unchanged.save().version == 2


# ---------------------------------------------------------------- free text unreachable through the admin

SECRET = "Zebra: I felt my chest tighten when she said it."


@pytest.fixture
def written(quiz, trainee):
    from django.utils import timezone

    from quizzes.models import Attempt, FreeReply, Reflection

    now = timezone.now()
    item = Item.objects.get(slug="priya")
    attempt = Attempt.objects.create(user=trainee, quiz=quiz, seed=1, item_ids=[item.pk], started_at=now)
    reflection = Reflection.objects.create(
        attempt=attempt, author=trainee, text=SECRET, instructor_comment=SECRET, created_at=now, updated_at=now
    )
    reply = FreeReply.objects.create(attempt=attempt, item=item, text=SECRET, created_at=now)
    return reflection, reply


@pytest.fixture
def viewing_staff(client):
    """Staff with view permission on everything the admin lists, and nothing else: the persona of issue 13."""
    from django.contrib.auth.models import Permission

    staff = UserFactory(username="viewer", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client.force_login(staff)
    return client


@pytest.mark.parametrize(
    "url_name, lookup",
    [
        ("admin:attune_quizzes_reflection_changelist", "text__startswith"),
        ("admin:attune_quizzes_reflection_changelist", "text__istartswith"),
        ("admin:attune_quizzes_reflection_changelist", "text__contains"),
        ("admin:attune_quizzes_reflection_changelist", "text__regex"),
        ("admin:attune_quizzes_reflection_changelist", "text"),
        ("admin:attune_quizzes_reflection_changelist", "instructor_comment__startswith"),
        ("admin:attune_quizzes_freereply_changelist", "text__startswith"),
        ("admin:attune_quizzes_freereply_changelist", "text__gt"),
        ("admin:attune_quizzes_attempt_changelist", "reflection__text__startswith"),
        ("admin:attune_quizzes_attempt_changelist", "free_replies__text__startswith"),
        ("admin:attune_quizzes_reflectionaccess_changelist", "reflection__text__startswith"),
        ("admin:attune_course_lessonprogress_changelist", "user__reflections__text__startswith"),
        ("admin:auth_user_changelist", "reflections__text__startswith"),
    ],
)
def test_no_admin_lookup_filters_on_free_text(viewing_staff, written, url_name, lookup):
    reflection, _ = written
    url = reverse(url_name)
    # A right and a wrong first character: both refused alike, so no answer tells them apart.
    right = viewing_staff.get(url, {"id": reflection.pk, lookup: SECRET[0]})
    wrong = viewing_staff.get(url, {"id": reflection.pk, lookup: "#"})
    assert (right.status_code, wrong.status_code) == (400, 400)
    assert right.content == wrong.content


@pytest.mark.parametrize("superuser", [False, True])
def test_the_admin_shows_free_text_nowhere(viewing_staff, written, superuser):
    reflection, reply = written
    if superuser:  # with change permission too: the forms leave the text out, not just make it read-only
        viewing_staff.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    for url in (
        reverse("admin:attune_quizzes_reflection_changelist"),
        reverse("admin:attune_quizzes_reflection_change", args=[reflection.pk]),
        reverse("admin:attune_quizzes_freereply_changelist"),
        reverse("admin:attune_quizzes_freereply_change", args=[reply.pk]),
        reverse("admin:attune_quizzes_attempt_change", args=[reflection.attempt_id]),
    ):
        response = viewing_staff.get(url)
        assert response.status_code == 200, url
        assert "Zebra" not in response.content.decode(), url


def test_the_free_text_kept_out_of_the_admin_is_every_personal_text_field_of_the_inventory():
    from course.admin import free_text_fields
    from quizzes.models import FreeReply, Reflection

    assert free_text_fields() == {(Reflection, "text"), (Reflection, "instructor_comment"), (FreeReply, "text")}


def test_every_attune_model_admin_keeps_free_text_out():
    from django.contrib import admin

    from course.admin import NoFreeTextLookups

    attune = {m: a for m, a in admin.site._registry.items() if m._meta.app_label.startswith("attune_")}
    assert len(attune) >= 15
    assert [m._meta.label for m, a in attune.items() if not isinstance(a, NoFreeTextLookups)] == []


@pytest.mark.parametrize(
    "path, tags, message",
    [
        (
            (3,),
            {"empathy": "shows"},
            "first step: option d is harmful but shows empathy; a harmful reply breaks the dimensions it touches",
        ),
        ((2,), {"warmth": "shows"}, "first step: option c is weak but only shows warmth; tag the dimension it breaks"),
        (
            (0, "next", 0),
            {"empathy": "breaks"},
            "step a: option a is the best reply but breaks empathy",
        ),
    ],
)
def test_item_form_refuses_tags_whose_polarity_contradicts_the_grade(quiz, path, tags, message):
    # The same rule validate_course applies to a package (quizzes/validation.polarity_problems).
    item = Item.objects.get(slug="priya")
    steps = json.loads(json.dumps(item.steps))
    options = steps["options"]
    target = options[path[0]] if len(path) == 1 else options[path[0]][path[1]]["options"][path[2]]
    target["dimensions"] = tags
    form = ItemForm(data=form_data(item, steps=json.dumps(steps)), instance=item)
    assert not form.is_valid()
    assert form.errors["steps"] == [message]
    assert Item.objects.get(slug="priya").steps == item.steps


def test_admin_change_page_shows_the_polarity_error_and_keeps_the_item(client, quiz):
    client.force_login(UserFactory(username="staff", is_staff=True, is_superuser=True))
    item = Item.objects.get(slug="priya")
    url = reverse("admin:attune_quizzes_item_change", args=[item.pk])

    def post(steps):
        data = {key: "" if value is None else value for key, value in form_data(item, steps=json.dumps(steps)).items()}
        return client.post(url, {key: value for key, value in data.items() if value is not False})  # unticked: absent

    steps = json.loads(json.dumps(item.steps))
    steps["options"][3]["dimensions"] = {"warmth": "shows"}
    response = post(steps)
    assert response.status_code == 200  # the form again, not the redirect after a save
    assert "option d is harmful but shows warmth" in response.content.decode()
    assert Item.objects.get(pk=item.pk).steps == item.steps
    steps["options"][3]["dimensions"] = {"warmth": "breaks"}
    assert post(steps).status_code == 302  # the same post with the polarity corrected saves
    assert Item.objects.get(pk=item.pk).steps["options"][3]["dimensions"] == {"warmth": "breaks"}
