"""Run by tests/test_custom_user.py in `manage.py shell` under config.test_custom_user: a trainee and an
instructor whose user model has email as USERNAME_FIELD play, review, get swept and show on the grid."""

import datetime

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from course.models import Cohort, Course, Enrollment
from quizzes import selectors, services
from quizzes.models import Quiz
from quizzes.reminders.reminders import plan_sweep
from quizzes.reminders.services import preference_ensure

User = get_user_model()
trainee = User.objects.create_user("trainee@example.org", "a-long-test-password")
teacher = User.objects.create_user("teacher@example.org", "a-long-test-password")
course = Course.objects.first()
cohort = Cohort.objects.create(course=course, name="Autumn", start_date=datetime.date(2026, 9, 1))
cohort.instructors.add(teacher)
Enrollment.objects.create(cohort=cohort, user=trainee)
quiz = Quiz.objects.filter(module__course=course).order_by("module__order").first()
attempt, _ = services.attempt_start(trainee, quiz)
step = selectors.current_step(attempt)
client = Client()
client.force_login(trainee)
if step.phase == "write":
    assert (
        client.post(
            reverse("quizzes:reply", args=[attempt.pk]), {"item": step.item.slug, "text": "Tell me more."}
        ).status_code
        == 302
    )
    step = selectors.current_step(attempt)
response = client.post(
    reverse("quizzes:answer", args=[attempt.pk]),
    {"item": step.item.slug, "step": step.step_path, "option": step.options[0]["id"], "confidence": "3"},
)
assert response.status_code == 302, response.status_code
assert client.get(reverse("review:session")).status_code == 200
preference_ensure(trainee.pk)
report = plan_sweep(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3), dry_run=True)
assert any("trainee@example.org" in line for line in report.lines), report.lines
client.force_login(teacher)
grid = client.get(reverse("quizzes_instructor:dashboard", args=[cohort.pk]))
assert grid.status_code == 200 and b"trainee@example.org" in grid.content, grid.status_code
print("custom user: played, reviewed, swept and shown")
