from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from course.conf import app_settings
from course.package import PackageError
from course.services import course_import


class Command(BaseCommand):
    help = "Import a course package (a folder of YAML and Markdown); with no PATH, the shipped course."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, help="The package folder (default: the shipped course).")

    def handle(self, *args, path=None, **options):
        path = path or app_settings.DEFAULT_COURSE_PATH
        try:
            report = course_import(path)
        except PackageError as exc:
            lines = [f"Nothing was imported: {len(exc.problems)} problem(s) in {path}"]
            lines += [f"  {problem}" for problem in exc.problems]
            raise CommandError("\n".join(lines)) from exc
        for line in report.lines():
            self.stdout.write(line)
