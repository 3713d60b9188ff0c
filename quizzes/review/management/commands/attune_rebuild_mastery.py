from django.core.management.base import BaseCommand, CommandError

from course.models import Course
from quizzes.review.services import mastery_rebuild


class Command(BaseCommand):
    help = (
        "Refold each trainee's stored mastery of each skill (ready to practise) from their quiz answers and "
        "spaced reviews: after loading data in bulk, or to put right anything that drifted. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--course", help="Only this course (its slug); default: every course.")
        parser.add_argument("--user", type=int, action="append", dest="users", help="Only this trainee's id (repeat).")

    def handle(self, *args, course=None, users=None, **options):
        course_id = None
        if course is not None:
            course_id = Course.objects.filter(slug=course).values_list("pk", flat=True).first()
            if course_id is None:
                raise CommandError(f"There is no course {course!r}.")
        written = mastery_rebuild(course_id=course_id, user_ids=users)
        self.stdout.write(f"{written} skill row(s) written.")
