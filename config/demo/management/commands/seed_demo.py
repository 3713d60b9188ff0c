import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from course.models import Cohort, Course, Enrollment, Lesson
from course.services import lesson_complete, lesson_open

DEMO_PASSWORD = "attune-demo"  # noqa: S105 - the documented demo login
COHORT_TRAINEES = ["amara", "bilal", "chen", "dana", "eero"]


class Command(BaseCommand):
    help = "Create demo users (instructor, trainee and a small cohort with some progress). Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--course", help="Course slug (default: the first course).")

    @transaction.atomic
    def handle(self, *args, course=None, **options):
        if not settings.DEBUG:
            # Known passwords and a superuser: only ever on a developer's or a demo machine.
            raise CommandError("seed_demo creates accounts with a published password; it runs only with DEBUG on.")
        courses = Course.objects.order_by("pk")
        course_obj = courses.filter(slug=course).first() if course else courses.first()
        if course_obj is None:
            raise CommandError("No course to seed: run `python manage.py import_course` first.")
        User = get_user_model()

        def user(username, **extra):
            obj, created = User.objects.get_or_create(username=username, defaults=extra)
            if created:
                obj.set_password(DEMO_PASSWORD)
                obj.save()
            return obj

        instructor = user("instructor", first_name="Iris", last_name="Okafor", email="instructor@attune.example")
        user("admin", email="admin@attune.example", is_staff=True, is_superuser=True)
        trainee = user("trainee", first_name="Tara", last_name="Nolan", email="trainee@attune.example")
        cohort, _ = Cohort.objects.get_or_create(
            course=course_obj,
            name="Demo cohort",
            defaults={"start_date": timezone.localdate() - timedelta(days=21)},
        )
        cohort.instructors.add(instructor)
        lessons = list(
            Lesson.objects.filter(module__course=course_obj, is_active=True).order_by("module__order", "order")
        )
        rng = random.Random(7)
        for username in ["trainee", *COHORT_TRAINEES]:
            member = (
                trainee
                if username == "trainee"
                else user(username, first_name=username.capitalize(), email=f"{username}@attune.example")
            )
            Enrollment.objects.get_or_create(cohort=cohort, user=member)
            read = 1 if username == "trainee" else rng.randint(0, min(len(lessons), 6))
            for lesson in lessons[:read]:
                lesson_open(member, lesson)
                lesson_complete(member, lesson)
        self.stdout.write(
            f"Demo ready: instructor/{DEMO_PASSWORD}, trainee/{DEMO_PASSWORD}, admin/{DEMO_PASSWORD} "
            f"(cohort {cohort.name!r} with {cohort.enrollments.count()} trainees)."
        )
