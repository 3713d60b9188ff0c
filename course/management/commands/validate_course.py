from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from course.conf import app_settings
from course.package import FRONT_MATTER, PackageError, Problem, load_package
from course.validation import package_report, package_summary, validate_package


class Command(BaseCommand):
    help = (
        "Check a course package against its format and the content and keying rules; print every "
        "problem with its file and id, then a summary. With no PATH, the shipped course."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, help="The package folder (default: the shipped course).")

    def handle(self, *args, path=None, **options):
        path = path or app_settings.DEFAULT_COURSE_PATH
        try:
            package = load_package(path)
        except PackageError as exc:
            for problem in exc.problems:
                self.stdout.write(describe(Path(path), problem))
            raise CommandError(f"{len(exc.problems)} problem(s) in {path}: the package cannot be read") from exc
        problems = validate_package(package)
        for problem in problems:
            self.stdout.write(str(problem))
        for line in package_report(package):
            self.stdout.write(line)
        summary = package_summary(package)
        self.stdout.write("Summary: " + ", ".join(f"{count} {name}" for name, count in summary.items()))
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in {path}")
        self.stdout.write("OK")


def describe(root: Path, problem: Problem) -> str:
    """A structural problem with the id of the item, lesson, module or fact it belongs to, when it can be read."""
    owner = _owner_id(root / problem.file, problem.field or "")
    return f"{problem} [id {owner}]" if owner else str(problem)


def _owner_id(path: Path, field: str) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".md":
            match = FRONT_MATTER.match(text.replace("\r\n", "\n"))
            text = match.group(1) if match else ""
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if isinstance(data, list) and field.startswith("["):
        # facts.yaml: a field such as "[3].options" names the fact by its index
        index = field[1 : field.find("]")]
        data = data[int(index)] if index.isdigit() and int(index) < len(data) else None
    identifier = data.get("id") if isinstance(data, dict) else None
    return identifier if isinstance(identifier, str) else None
