from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from course.conf import app_settings
from course.package import PackageError, load_package
from quizzes import sessions


class Command(BaseCommand):
    help = (
        "Print a relationship-state session's graph: each turn, its replies with their effects, the rules "
        "that pick the next turn and the endings; with --dot, Graphviz DOT text for a picture (dot -Tsvg)."
    )

    def add_arguments(self, parser):
        parser.add_argument("item", help="The session's item id.")
        parser.add_argument("path", nargs="?", type=Path, help="The package folder (default: the shipped course).")
        parser.add_argument("--dot", action="store_true", help="Graphviz DOT instead of text.")

    def handle(self, *args, item, path=None, dot=False, **options):
        path = path or app_settings.DEFAULT_COURSE_PATH
        try:
            package = load_package(path)
        except PackageError as exc:
            raise CommandError(f"{len(exc.problems)} problem(s) in {path}: the package cannot be read") from exc
        found = [spec for spec in package.sections["quizzes"].items if spec.id == item]
        if not found or not sessions.is_session(found[0].steps):
            raise CommandError(f"{item!r} is not a session of {path}")
        spec = found[0].steps
        self.stdout.write(sessions.graph_dot(spec, item) if dot else sessions.graph_text(spec, item))
