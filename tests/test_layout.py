"""The plugin's layout holds: dependencies point one way between the apps, and no module imports
itself round a circle. Read from the source with `ast`, so it fails the day someone adds an
upward import, wherever it hides (a function-level import counts too)."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("course", "quizzes")
# Each app and the apps it may import. Instructor reads them all; nothing imports instructor.
ALLOWED = {
    "course": {"course"},
    "quizzes": {"quizzes", "course"},
    "quizzes.review": {"quizzes.review", "quizzes", "course"},
    "quizzes.reminders": {"quizzes.reminders", "quizzes.review", "quizzes", "course"},
    "quizzes.instructor": {"quizzes.instructor", "quizzes.reminders", "quizzes.review", "quizzes", "course"},
}
SUB_APPS = ("quizzes.review", "quizzes.reminders", "quizzes.instructor")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_of(module: str) -> str | None:
    for app in SUB_APPS:
        if module == app or module.startswith(app + "."):
            return app
    root = module.split(".")[0]
    return root if root in PACKAGES else None


def imports_of(path: Path, top_level_only: bool) -> set[str]:
    return imports_in(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py", top_level_only)


def imports_in(source: str, module: str, is_package: bool, top_level_only: bool) -> set[str]:
    """Absolute names of the project modules a module's source imports."""
    package = module if is_package else module.rsplit(".", 1)[0]
    tree = ast.parse(source)
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            found.add(prefix)
            found.update(f"{prefix}.{alias.name}" for alias in node.names)
    return {name for name in found if app_of(name)}


def source_files() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (REPO / package).rglob("*.py")
        if "migrations" not in path.parts and "content" not in path.parts
    )


def _fresh(name: str) -> list[str]:
    """Run a check in a fresh interpreter: ast.parse after the browser tests' greenlets can trip
    CPython 3.11's "AST constructor recursion depth mismatch"."""
    code = f"import json; from tests import test_layout as t; print(json.dumps(t.{name}()))"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_apps_import_only_downwards():
    assert _fresh("upward_imports") == []


def test_no_import_circles():
    assert _fresh("import_circles") == []


def upward_imports() -> list[str]:
    wrong = []
    for path in source_files():
        app = app_of(module_name(path))
        for name in imports_of(path, top_level_only=False):
            if app_of(name) not in ALLOWED[app]:
                wrong.append(f"{path.relative_to(REPO)} imports {name} ({app} may not depend on {app_of(name)})")
    return wrong


def import_circles() -> list[str]:
    modules = {module_name(path): path for path in source_files()}
    graph = {
        name: {imported for imported in imports_of(path, top_level_only=True) if imported in modules} - {name}
        for name, path in modules.items()
    }
    circles, state = [], {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                circles.append(" -> ".join([*trail[trail.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return circles


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from quizzes.review import services\n", {"quizzes.review"}),
        ("from ..review.models import ReviewCard\n", {"quizzes.review"}),
        ("from . import timing\n", {"quizzes.reminders"}),
        ("def f():\n    from course.models import Course\n", set()),  # not at top level
    ],
)
def test_the_reader_resolves_absolute_and_relative_imports(source, expected):
    found = imports_in(source, "quizzes.reminders.probe", is_package=False, top_level_only=True)
    assert {app_of(name) for name in found} == expected
