from django.core.management.base import BaseCommand, CommandError

from course.models import Course

from ...tallies import tallies_rebuild


class Command(BaseCommand):
    help = "Sum every answer again into the instructor dashboard's per-skill tallies (after a bulk load)."

    def add_arguments(self, parser):
        parser.add_argument("--course", help="A course's slug (default: every course).")

    def handle(self, *args, course=None, **options):
        course_id = None
        if course:
            found = Course.objects.filter(slug=course).values_list("pk", flat=True).first()
            if found is None:
                raise CommandError(f"No course with the slug '{course}'.")
            course_id = found
        written = tallies_rebuild(course_id)
        self.stdout.write(f"Rebuilt {written} skill tallies.")
