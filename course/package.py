"""Read a course package (a folder of YAML and Markdown) into plain data. Pure: no ORM.

Every structural problem is collected with its file, line (where YAML gives one) and
field, so an author sees them all at once; `load_package` raises PackageError if any.
Other apps add sections (scenario items, facts) through `register_extension`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n?(.*)\Z", re.DOTALL)


@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    field: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class PackageError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Mapping(dict):
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int | None = None
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int | None:
        return getattr(self, "key_lines", {}).get(key, self.line)


def line_of(data: Any, key: str) -> int | None:
    """The line of a key in a YAML mapping, if the mapping came from a file."""
    return data.line_of(key) if isinstance(data, Mapping) else None


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    mapping = Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class FileReader:
    """Reads one file of a package and records its problems against that file."""

    def __init__(self, root: Path, path: Path, problems: list[Problem], line_offset: int = 0):
        self.root = root
        self.path = path
        self.name = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
        self.problems = problems
        self.line_offset = line_offset

    def problem(self, message: str, field: str | None = None, line: int | None = None) -> None:
        if line is not None:
            line += self.line_offset
        self.problems.append(Problem(self.name, message, field, line))

    def read_text(self) -> str | None:
        try:
            return self.path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            self.problem(f"is not valid UTF-8 text ({exc.reason} at byte {exc.start})")
        except OSError as exc:
            self.problem(f"cannot be read: {exc.strerror or exc}")
        return None

    def parse_yaml(self, text: str) -> Any:
        try:
            return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            reason = getattr(exc, "problem", None) or str(exc)
            self.problem(f"invalid YAML: {reason}", line=mark.line + 1 if mark else None)
            return None

    def load_yaml(self) -> Any:
        text = self.read_text()
        return None if text is None else self.parse_yaml(text)

    def mapping(self, data: Any, what: str) -> Mapping | None:
        if not isinstance(data, dict):
            self.problem(f"must be a YAML mapping ({what}), not {type(data).__name__}")
            return None
        return data if isinstance(data, Mapping) else Mapping(data)

    def get(
        self,
        data: Mapping,
        key: str,
        kind: type | tuple,
        *,
        prefix: str = "",
        required: bool = True,
        default: Any = None,
        check: Callable[[Any], str | None] | None = None,
    ) -> Any:
        """Return data[key] if present and of the right kind, else record a problem naming the field."""
        name = f"{prefix}{key}"
        if key not in data or data[key] is None:
            if required:
                self.problem("is required", name, getattr(data, "line", None))
            return default
        value = data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            ok = False
        else:
            ok = isinstance(value, kinds)
        if not ok:
            expected = " or ".join(_KIND_NAMES.get(k, k.__name__) for k in kinds)
            self.problem(f"must be {expected}, not {_describe(value)}", name, line_of(data, key))
            return default
        if isinstance(value, str) and not value.strip():
            if required:
                self.problem("must not be empty", name, line_of(data, key))
            return default
        if check is not None:
            error = check(value)
            if error:
                self.problem(error, name, line_of(data, key))
                return default
        return value

    def identifier(self, data: Mapping, key: str = "id", *, prefix: str = "") -> str | None:
        return self.get(data, key, str, prefix=prefix, check=check_id)


_KIND_NAMES = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    list: "a list",
    dict: "a mapping",
    Mapping: "a mapping",
}


def _describe(value: Any) -> str:
    return _KIND_NAMES.get(type(value), type(value).__name__) + f" {value!r}"[:60]


def check_id(value: str) -> str | None:
    if not ID_PATTERN.match(value):
        return f"{value!r} is not a valid id (lower-case letters, digits and hyphens)"
    return None


def check_positive(value: int) -> str | None:
    return None if value > 0 else f"must be greater than 0, not {value}"


def string_list(reader: FileReader, data: Mapping, key: str, *, prefix: str = "") -> list[str]:
    values = reader.get(data, key, list, prefix=prefix, required=False, default=[])
    result = []
    for index, value in enumerate(values):
        if not isinstance(value, str) or not value.strip():
            reader.problem("must be non-empty text", f"{prefix}{key}[{index}]", line_of(data, key))
        else:
            result.append(value)
    return result


@dataclass
class LessonSpec:
    id: str
    title: str
    order: int
    minutes: int
    objectives: list[str]
    key_terms: list[dict[str, str]]
    references: list[str]
    body: str
    file: str
    body_line: int


@dataclass
class ModuleSpec:
    id: str
    title: str
    order: int
    summary: str
    prerequisites: list[str]
    references: list[dict[str, str]]
    quiz: Mapping | None
    lessons: list[LessonSpec]
    directory: Path
    file: str


@dataclass
class CoursePackage:
    id: str
    title: str
    summary: str
    root: Path
    modules: list[ModuleSpec]
    sections: dict[str, Any] = field(default_factory=dict)

    def module(self, module_id: str) -> ModuleSpec | None:
        return next((m for m in self.modules if m.id == module_id), None)


class Extension(Protocol):
    """A section of the package owned by another app (for example scenario items).

    Optionally, for `validate_course` (course.validation calls them only if present):
    `validate(package, section) -> list[Problem]`, content rules beyond the structure that
    `load` checks, and `summary(package, section) -> dict[str, int]`, counts for its summary.
    """

    name: str

    def load(self, package: CoursePackage, problems: list[Problem]) -> Any: ...

    def apply(self, course: Any, modules: dict[str, Any], data: Any, report: Any) -> None: ...


_extensions: dict[str, Extension] = {}


def register_extension(extension: Extension) -> None:
    _extensions[extension.name] = extension


def extensions() -> list[Extension]:
    return list(_extensions.values())


def load_package(path: Path | str) -> CoursePackage:
    """Parse and check a package's structure; raise PackageError listing every problem."""
    root = Path(path)
    problems: list[Problem] = []
    if not root.is_dir():
        raise PackageError([Problem(str(root), "is not a folder holding a course package")])

    course_reader = FileReader(root, root / "course.yaml", problems)
    if not course_reader.path.exists():
        raise PackageError([Problem("course.yaml", "is missing: every package starts with course.yaml")])
    data = course_reader.mapping(course_reader.load_yaml(), "the course") if not problems else None
    if data is None:
        raise PackageError(problems or [Problem("course.yaml", "is empty")])
    package = CoursePackage(
        id=course_reader.identifier(data) or "",
        title=course_reader.get(data, "title", str) or "",
        summary=course_reader.get(data, "summary", str, required=False, default=""),
        root=root,
        modules=[],
    )

    module_dirs = sorted(p for p in (root / "modules").glob("*") if p.is_dir()) if (root / "modules").is_dir() else []
    if not module_dirs:
        course_reader.problem("the package has no modules (expected modules/<NN-slug>/module.yaml)")
    for directory in module_dirs:
        module = _load_module(root, directory, problems)
        if module is not None:
            package.modules.append(module)
    package.modules.sort(key=lambda m: m.order)
    _check_course_wide(package, problems)

    for extension in extensions():
        package.sections[extension.name] = extension.load(package, problems)

    if problems:
        raise PackageError(problems)
    return package


def _load_module(root: Path, directory: Path, problems: list[Problem]) -> ModuleSpec | None:
    reader = FileReader(root, directory / "module.yaml", problems)
    if not reader.path.exists():
        reader.problem("is missing: every module folder needs a module.yaml")
        return None
    data = reader.load_yaml()
    if data is None and reader.path.exists() and not any(p.file == reader.name for p in problems):
        reader.problem("is empty")
        return None
    data = reader.mapping(data, "the module") if data is not None else None
    if data is None:
        return None
    references = []
    for index, ref in enumerate(reader.get(data, "references", list, required=False, default=[])):
        prefix = f"references[{index}]."
        if not isinstance(ref, dict):
            reader.problem("must be a mapping with key and apa", f"references[{index}]", line_of(data, "references"))
            continue
        key = reader.get(ref, "key", str, prefix=prefix)
        apa = reader.get(ref, "apa", str, prefix=prefix)
        if key and apa:
            references.append({"key": key, "apa": apa})
    quiz = reader.get(data, "quiz", dict, required=False)
    module = ModuleSpec(
        id=reader.identifier(data) or "",
        title=reader.get(data, "title", str) or "",
        order=reader.get(data, "order", int, check=check_positive) or 0,
        summary=reader.get(data, "summary", str, required=False, default=""),
        prerequisites=string_list(reader, data, "prerequisites"),
        references=references,
        quiz=quiz,
        lessons=[],
        directory=directory,
        file=reader.name,
    )
    lesson_dir = directory / "lessons"
    for path in sorted(lesson_dir.glob("*.md")) if lesson_dir.is_dir() else []:
        lesson = _load_lesson(root, path, problems)
        if lesson is not None:
            module.lessons.append(lesson)
    module.lessons.sort(key=lambda lesson: lesson.order)
    orders = [lesson.order for lesson in module.lessons]
    for order in sorted({o for o in orders if orders.count(o) > 1}):
        reader.problem(f"two lessons of this module have order {order}", "lessons.order")
    return module


def _load_lesson(root: Path, path: Path, problems: list[Problem]) -> LessonSpec | None:
    reader = FileReader(root, path, problems)
    text = reader.read_text()
    if text is None:
        return None
    match = FRONT_MATTER.match(text.replace("\r\n", "\n"))
    if not match:
        reader.problem("must start with YAML front matter between two '---' lines", line=1)
        return None
    reader.line_offset = 1  # the front matter starts on line 2
    data = reader.parse_yaml(match.group(1))
    if data is None:
        if not any(p.file == reader.name for p in problems):
            reader.problem("front matter is empty", line=1)
        return None
    data = reader.mapping(data, "the lesson's front matter")
    if data is None:
        return None
    key_terms = []
    for index, term in enumerate(reader.get(data, "key_terms", list, required=False, default=[])):
        prefix = f"key_terms[{index}]."
        if not isinstance(term, dict):
            reader.problem(
                "must be a mapping with term and definition", f"key_terms[{index}]", line_of(data, "key_terms")
            )
            continue
        name = reader.get(term, "term", str, prefix=prefix)
        definition = reader.get(term, "definition", str, prefix=prefix)
        if name and definition:
            key_terms.append({"term": name, "definition": definition})
    body = match.group(2).strip()
    if not body:
        reader.problem("has no body after the front matter", "body")
    lesson = LessonSpec(
        id=reader.identifier(data) or "",
        title=reader.get(data, "title", str) or "",
        order=reader.get(data, "order", int, check=check_positive) or 0,
        minutes=reader.get(data, "minutes", int, required=False, default=5, check=check_positive),
        objectives=string_list(reader, data, "objectives"),
        key_terms=key_terms,
        references=string_list(reader, data, "references"),
        body=body,
        file=reader.name,
        body_line=match.group(1).count("\n") + 3,
    )
    return lesson


def _check_course_wide(package: CoursePackage, problems: list[Problem]) -> None:
    seen_modules: dict[str, str] = {}
    seen_orders: dict[int, str] = {}
    seen_lessons: dict[str, str] = {}
    for module in package.modules:
        if module.id in seen_modules:
            problems.append(
                Problem(module.file, f"duplicate module id {module.id!r} (also in {seen_modules[module.id]})", "id")
            )
        seen_modules.setdefault(module.id, module.file)
        if module.order in seen_orders:
            problems.append(
                Problem(module.file, f"order {module.order} is also used by {seen_orders[module.order]}", "order")
            )
        seen_orders.setdefault(module.order, module.file)
        for lesson in module.lessons:
            if lesson.id in seen_lessons:
                problems.append(
                    Problem(lesson.file, f"duplicate lesson id {lesson.id!r} (also in {seen_lessons[lesson.id]})", "id")
                )
            seen_lessons.setdefault(lesson.id, lesson.file)
    for module in package.modules:
        for prerequisite in module.prerequisites:
            if prerequisite == module.id:
                problems.append(Problem(module.file, "a module cannot be its own prerequisite", "prerequisites"))
            elif prerequisite not in seen_modules:
                problems.append(Problem(module.file, f"unknown prerequisite {prerequisite!r}", "prerequisites"))
    cycle = find_cycle({m.id: [p for p in m.prerequisites if p in seen_modules and p != m.id] for m in package.modules})
    if cycle:
        first = package.module(cycle[0])
        problems.append(
            Problem(first.file if first else "modules", "prerequisite cycle: " + " -> ".join(cycle), "prerequisites")
        )


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """Return one cycle in a directed graph as a path that ends where it starts, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if state.get(nxt) is None:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in graph:
        if state.get(node) is None:
            found = visit(node)
            if found:
                return found
    return None
