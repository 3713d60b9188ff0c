"""The privacy inventory, export, erasure and retention (course.privacy and each app's privacy.py)."""

import io
import json
import tracemalloc
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection, models
from django.test.utils import isolate_apps
from django.urls import reverse
from django.utils import timezone

from course import privacy
from course.models import LessonProgress, PrivacyRecord
from quizzes import services as quiz_services
from quizzes.instructor import selectors as instructor
from quizzes.instructor import services as instructor_services
from quizzes.models import Answer, Attempt, FreeReply, Item, Reflection
from quizzes.reminders import reminders as reminder_pipeline
from quizzes.reminders.models import Notification, Reminder, ReminderPreference
from tests.conftest import UserFactory, enroll
from tests.quizzes.instructor.conftest import GOOD, HARMFUL, play, quiz  # noqa: F401 - fixture

README = Path(__file__).resolve().parents[2] / "README.md"
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


# --- the inventory ------------------------------------------------------------------------------


def test_every_attune_model_declares_its_personal_fields():
    assert privacy.undeclared_fields(privacy.attune_models()) == []


@isolate_apps("course")
def test_a_model_with_an_undeclared_personal_field_fails_the_inventory():
    class Diary(models.Model):
        owner = models.ForeignKey(get_user_model(), on_delete=models.CASCADE, related_name="+")
        entry = models.TextField()
        mood = models.PositiveSmallIntegerField()

        class Meta:
            app_label = "attune_course"

        def __str__(self):
            return "diary"

    assert privacy.undeclared_fields([Diary]) == ["attune_course.Diary.owner", "attune_course.Diary.entry"]


def test_readme_names_every_kind_and_setting_of_the_inventory():
    text = README.read_text()
    section = text.split("## What Attune stores", 1)[1].split("\n## ", 1)[0]
    for declaration in privacy.declarations():
        assert f"`{declaration.kind}`" in section, declaration.kind
    for kind in privacy.retention_kinds():
        assert f"ATTUNE_PRIVACY_{kind.upper()}_RETENTION_DAYS" in section


# --- a trainee with something in every inventoried field ----------------------------------------


@pytest.fixture
def seeded(quiz, cohort, instructor):  # noqa: F811
    """A trainee with a row for every declared model and a sentinel in every personal text field."""
    trainee = UserFactory(username="zq~user", email="zq~mail@example.org", first_name="zq~first", last_name="zq~last")
    enroll(trainee, cohort)
    attempt = play(trainee, quiz, GOOD, reflection="zq~placeholder")
    reflection = attempt.reflection
    instructor_services.reflection_score(
        reflection, instructor, {"Names the marker": 2, "Stays non-defensive": 1}, "comment"
    )
    instructor_services.reflection_open(reflection, instructor)
    FreeReply.objects.create(attempt=attempt, item=quiz.items.first(), text="x", created_at=timezone.now())
    # An open second attempt: erasure deletes it rather than keep it under the placeholder.
    open_attempt, _ = quiz_services.attempt_start(trainee, quiz)
    quiz_services.attempt_answer(open_attempt, "tomas", "", "c", 2)
    LessonProgress.objects.create(
        user=trainee,
        lesson=cohort.course.modules.first().lessons.first(),
        first_opened_at=timezone.now(),
        last_opened_at=timezone.now(),
    )
    from course.models import ModuleResult

    ModuleResult.objects.get_or_create(
        user=trainee, module=quiz.module, defaults={"best_score": 1.0, "passed_at": timezone.now()}
    )
    from datetime import time

    ReminderPreference.objects.get_or_create(
        user=trainee, defaults={"reminder_time": time(18), "updated_at": timezone.now()}
    )
    reminder = Reminder.objects.create(
        user=trainee,
        local_date=timezone.now().date(),
        sweep="00000000-0000-0000-0000-000000000001",
        planned_at=timezone.now(),
        due_count=3,
    )
    Notification.objects.create(user=trainee, reminder=reminder, title="t", created_at=timezone.now())

    sentinels = {}
    for declaration in privacy.declarations():
        if declaration.profile or declaration.erasure == privacy.KEEP or declaration.kind == "teaching":
            continue  # the account is seeded above; audit rows come later; a trainee teaches nothing
        rows = declaration.queryset(trainee.pk)
        assert rows.exists(), f"seed a row of {declaration.model}"
        model = declaration.model_class()
        for name in declaration.personal:
            f = model._meta.get_field(name)
            if isinstance(f, TEXT_FIELDS) and not f.choices:
                value = f"zq~{len(sentinels):03d}"
                sentinels[f"{declaration.model}.{name}"] = value
                for i, pk in enumerate(rows.values_list("pk", flat=True)):  # unique per row (constraints)
                    text = f"{value}{i}"
                    model.objects.filter(pk=pk).update(**{name: [text] if isinstance(f, models.JSONField) else text})
    for name in ("username", "email", "first_name", "last_name"):
        sentinels[f"user.{name}"] = getattr(trainee, name)
    return trainee, reminder, sentinels


def test_the_seed_names_every_free_text_field_of_the_inventory(seeded):
    _, _, sentinels = seeded
    assert {
        "attune_quizzes.FreeReply.text",
        "attune_quizzes.Reflection.text",
        "attune_quizzes.Reflection.instructor_comment",
        "attune_quizzes.Reflection.rubric_scores",
        "attune_reminders.Notification.body",
        "attune_reminders.Reminder.detail",
        "attune_reminders.ReminderPreference.time_zone",
        "attune_review.ReviewLog.option_id",
    } <= set(sentinels)


def read_zip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_export_holds_every_inventoried_field_as_json_and_html(seeded):
    trainee, _, sentinels = seeded
    files = read_zip(b"".join(privacy.export_stream(trainee)))
    assert set(files) == {f"{d.kind}.json" for d in privacy.declarations()} | {"summary.html", "about.json"}
    everything = "".join(files.values())
    for where, value in sentinels.items():
        assert value in files["summary.html"], where
        assert value in everything, where
    answers = json.loads(files["answers.json"])
    assert {(a["item__slug"], a["option_id"]) for a in answers} >= {("tomas", "a"), ("mira", "a")}
    assert json.loads(files["reflection_accesses.json"])[0]["viewer__username"] == "instructor"
    assert "<table>" in files["summary.html"] and files["summary.html"].startswith("<!doctype html>")
    assert PrivacyRecord.objects.filter(action="export", subject_id=trainee.pk).count() == 1


def scan_database(needle: str) -> list[str]:
    """Every table, every column cast to text: where needle occurs."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            where = " OR ".join(f"CAST({connection.ops.quote_name(c)} AS TEXT) LIKE %s" for c in columns)
            cursor.execute(
                f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} WHERE {where}",  # noqa: S608
                [f"%{needle}%"] * len(columns),
            )
            if cursor.fetchone()[0]:
                found.append(table)
    return found


def test_erasure_leaves_no_sentinel_anywhere_and_keeps_the_answers_anonymous(seeded, quiz):  # noqa: F811
    trainee, reminder, sentinels = seeded
    assert scan_database("zq~") != []
    completed_answers = set(
        Answer.objects.filter(attempt__user=trainee, attempt__status="completed").values_list(
            "pk", "option_id", "grade"
        )
    )

    report = privacy.erase_user(trainee.pk)

    assert report.erased and report.counts["free_replies"] == 1 and report.counts["reflections"] == 1
    assert scan_database("zq~") == []
    for declaration in privacy.declarations():
        if declaration.erasure != privacy.KEEP:
            assert not declaration.queryset(trainee.pk).exists(), declaration.model
    placeholder = get_user_model().objects.get(username=privacy.ERASED_USERNAME)
    assert not placeholder.is_active and not placeholder.has_usable_password()
    kept = set(Answer.objects.filter(attempt__user=placeholder).values_list("pk", "option_id", "grade"))
    assert kept == completed_answers
    assert not Attempt.objects.filter(user=placeholder, status="in_progress").exists()
    record = PrivacyRecord.objects.get(action="erasure", subject_id=trainee.pk)
    assert all(isinstance(n, int) for n in record.counts.values())
    # A send already queued for the erased trainee's reminder resolves to nothing.
    assert reminder_pipeline.reminder_send(reminder.pk) != "sent"
    assert not Reminder.objects.filter(pk=reminder.pk).exists()


def test_the_same_erasure_twice_is_harmless(seeded):
    trainee, _, _ = seeded
    first = privacy.erase_user(trainee.pk)
    before = {m._meta.label: m.objects.count() for m in privacy.attune_models()}
    second = privacy.erase_user(trainee.pk)
    assert first.erased and not second.erased
    assert {m._meta.label: m.objects.count() for m in privacy.attune_models()} == before


def test_the_placeholder_cannot_be_erased(seeded):
    trainee, _, _ = seeded
    privacy.erase_user(trainee.pk)
    with pytest.raises(privacy.ErasureRefused):
        privacy.erase_user(get_user_model().objects.get(username=privacy.ERASED_USERNAME).pk)


def test_item_analysis_and_dashboard_still_add_up_counting_the_erased_trainee_anonymously(quiz, cohort):  # noqa: F811
    kept, erased = UserFactory(username="amara"), UserFactory(username="bilal")
    for user, picks in ((kept, GOOD), (erased, HARMFUL)):
        enroll(user, cohort)
        play(user, quiz, picks, reflection="thoughts")

    def figures():
        analysis = instructor.item_analysis(cohort, quiz)
        summary = instructor.quiz_summaries(cohort)[0]
        dashboard = instructor.cohort_dashboard(cohort)
        picks = {
            (s.item, step.path, o.id): o.count for s in analysis.stats.items for step in s.steps for o in step.options
        }
        skills = [(s.skill, s.answered, s.mean_share) for s in dashboard.skill_summary]
        return picks, (summary.attempts, summary.trainees, summary.mean_score), dashboard.total_trainees, skills

    before = figures()
    privacy.erase_user(erased.pk)
    after = figures()

    assert after == before
    names = {row.name for row in instructor.cohort_dashboard(cohort).rows}
    assert names == {"amara", privacy.ERASED_USERNAME}


# --- pages and commands -------------------------------------------------------------------------


def test_trainee_downloads_their_data_from_the_account_page(client, seeded):
    trainee, _, sentinels = seeded
    client.force_login(trainee)
    page = client.get(reverse("course:account_data"))
    assert page.status_code == 200 and reverse("course:account_export") in page.content.decode()
    assert reverse("course:account_data") in client.get(reverse("course:my_courses")).content.decode()
    response = client.get(reverse("course:account_export"))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    files = read_zip(b"".join(response.streaming_content))
    assert sentinels["attune_quizzes.Reflection.text"] in files["reflections.json"]
    assert PrivacyRecord.objects.get(action="export", subject_id=trainee.pk).actor == trainee


def test_staff_export_a_named_user_and_it_is_audited(client, seeded, trainee):
    subject, _, _ = seeded
    client.force_login(trainee)
    assert client.get(reverse("course:staff_export", args=[subject.pk])).status_code == 404
    staff = UserFactory(username="registrar", is_staff=True)
    client.force_login(staff)
    # Being staff is not enough: without the permission, a 404 and no audit record (nothing was exported).
    assert client.get(reverse("course:staff_export", args=[subject.pk])).status_code == 404
    assert not PrivacyRecord.objects.filter(action="export", subject_id=subject.pk).exists()
    staff.user_permissions.add(Permission.objects.get(codename="export_user_data"))
    response = client.get(reverse("course:staff_export", args=[subject.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    record = PrivacyRecord.objects.get(action="export", subject_id=subject.pk)
    assert record.actor == staff
    assert client.get(reverse("course:staff_export", args=[987654])).status_code == 404


def test_superusers_may_export_any_account(client, seeded):
    subject, _, _ = seeded
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.get(reverse("course:staff_export", args=[subject.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert PrivacyRecord.objects.filter(action="export", subject_id=subject.pk).count() == 1


def test_self_erasure_is_off_by_default_and_needs_the_username(client, seeded, settings):
    trainee, _, _ = seeded
    client.force_login(trainee)
    assert client.post(reverse("course:account_erase"), {"confirm": trainee.username}).status_code == 404
    settings.ATTUNE_PRIVACY_SELF_ERASURE = True
    wrong = client.post(reverse("course:account_erase"), {"confirm": "someone"})
    assert wrong.status_code == 400 and "confirm" in wrong.content.decode()
    assert client.post(reverse("course:account_erase"), {"confirm": trainee.username}).status_code == 302
    assert not get_user_model().objects.filter(pk=trainee.pk).exists()
    assert PrivacyRecord.objects.get(action="erasure", subject_id=trainee.pk).actor is None


def test_commands_export_and_erase(seeded, tmp_path):
    trainee, _, sentinels = seeded
    out = io.StringIO()
    call_command("export_user_data", trainee.username, "--out", str(tmp_path / "data.zip"), stdout=out)
    files = read_zip((tmp_path / "data.zip").read_bytes())
    assert sentinels["attune_quizzes.FreeReply.text"] in files["free_replies.json"]
    call_command("erase_user", trainee.username, stdout=out)
    call_command("erase_user", trainee.username, stdout=out)
    assert "nothing to erase" in out.getvalue()
    assert scan_database("zq~") == []


def test_admin_action_erases_the_selected_accounts(admin_client, seeded):
    trainee, _, _ = seeded
    response = admin_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "erase_selected_users", "_selected_action": [trainee.pk]},
    )
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=trainee.pk).exists()
    assert PrivacyRecord.objects.get(action="erasure", subject_id=trainee.pk).actor.username == "admin"
    assert scan_database("zq~") == []


# --- retention ----------------------------------------------------------------------------------


def test_retention_blanks_old_free_text_and_keeps_the_grades(seeded, settings):
    trainee, _, _ = seeded
    reflection = Reflection.objects.get(author=trainee)
    assert privacy.apply_retention() == {}
    settings.ATTUNE_PRIVACY_FREE_REPLY_RETENTION_DAYS = 30
    settings.ATTUNE_PRIVACY_REFLECTION_RETENTION_DAYS = 30
    settings.ATTUNE_PRIVACY_INSTRUCTOR_COMMENT_RETENTION_DAYS = 30
    assert privacy.apply_retention() == {"free_reply": 0, "reflection": 0, "instructor_comment": 0}
    later = timezone.now() + timedelta(days=31)
    out = io.StringIO()
    import time_machine

    with time_machine.travel(later, tick=False):
        call_command("apply_retention", stdout=out)
    assert "free_reply: 1 blanked" in out.getvalue()
    reflection.refresh_from_db()
    assert reflection.text == "" and reflection.instructor_comment == ""
    assert reflection.rubric_scores
    assert FreeReply.objects.get(attempt__user=trainee).text == ""
    assert Answer.objects.filter(attempt__user=trainee).count() == 4


def test_the_write_forms_say_how_long_text_is_kept(client, quiz, trainee, settings):  # noqa: F811
    item = Item.objects.get(slug="tomas")
    item.write_first = True
    item.save()
    client.force_login(trainee)
    attempt, _ = quiz_services.attempt_start(trainee, quiz)
    page = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert 'data-testid="retention"' not in page
    settings.ATTUNE_PRIVACY_FREE_REPLY_RETENTION_DAYS = 90
    settings.ATTUNE_PRIVACY_REFLECTION_RETENTION_DAYS = 1
    page = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert "Your reply is deleted 90 days after you write it" in page
    quiz_services.attempt_write_reply(attempt, "tomas", "my words")
    for item_slug, step, option in GOOD:
        quiz_services.attempt_answer(attempt, item_slug, step, option, 3)
        attempt.refresh_from_db()
    page = client.get(reverse("quizzes:result", args=[attempt.pk])).content.decode()
    assert "Your reflection is deleted 1 day after you last save it" in page


# --- bounded memory -----------------------------------------------------------------------------


def test_export_of_a_long_history_streams_in_bounded_memory(quiz, cohort):  # noqa: F811
    trainee = enroll(UserFactory(username="long"), cohort)
    items = list(quiz.items.all())
    now = timezone.now()
    attempts = Attempt.objects.bulk_create(
        [
            Attempt(
                user=trainee,
                quiz=quiz,
                status="completed",
                seed=i,
                item_ids=[i.pk for i in items],
                position=2,
                started_at=now,
                completed_at=now,
                score=0.5,
                passed=False,
            )
            for i in range(500)
        ]
    )
    Answer.objects.bulk_create(
        [
            Answer(attempt=a, item=item, item_version=1, option_id="a", grade=3, answered_at=now)
            for a in attempts
            for item in items
        ]
    )
    Reflection.objects.bulk_create(
        [Reflection(attempt=a, author=trainee, text="r" * 4000, created_at=now, updated_at=now) for a in attempts[:50]]
    )
    assert Answer.objects.filter(attempt__user=trainee).count() == 1000
    tracemalloc.start()
    size = 0
    biggest = 0
    for chunk in privacy.export_stream(trainee):
        size += len(chunk)
        biggest = max(biggest, len(chunk))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"export: {size} bytes zipped, largest chunk {biggest} bytes, tracemalloc peak {peak / 1e6:.2f} MB")
    assert peak < 8_000_000
    assert biggest < 1_000_000


def test_the_daily_beat_entry_runs_the_same_retention(seeded, settings):
    from config.settings import CELERY_BEAT_SCHEDULE
    from quizzes.reminders import tasks

    trainee, _, _ = seeded
    entry = CELERY_BEAT_SCHEDULE["apply-privacy-retention"]
    assert entry == {"task": "attune_reminders.apply_retention", "schedule": 86400.0}
    settings.ATTUNE_PRIVACY_FREE_REPLY_RETENTION_DAYS = 0
    assert tasks.apply_retention.apply().get() == {"free_reply": 1}
    assert FreeReply.objects.get(attempt__user=trainee).text == ""
