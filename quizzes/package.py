"""The quizzes' sections of a course package: module quiz settings, scenario items and facts.

Registered with course.package in AppConfig.ready(), so `import_course` reads and applies
them in the same transaction as the lessons, with the same problem reporting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from course.package import CoursePackage, FileReader, Mapping, Problem, check_positive, line_of
from course.services import ImportReport

from . import grading
from .vocabulary import DIFFICULTIES, DIMENSIONS, SKILLS

ITEM_FIELDS = {
    "id",
    "version",
    "skill",
    "isomorph_group",
    "difficulty",
    "content_note",
    "write_first",
    "vignette",
    "client_statement",
    "options",
}


@dataclass
class QuizSpec:
    module: str
    file: str
    pass_threshold: float = 0.7
    harmful_fails: bool = True
    reflection_prompt: str = ""
    reflection_rubric: list[str] = field(default_factory=list)
    reflection_exemplar: str = ""


@dataclass
class ItemSpec:
    id: str
    module: str
    file: str
    order: int
    version: int
    skill: str
    isomorph_group: str
    difficulty: str
    content_note: str
    write_first: bool
    vignette: str
    client_statement: str
    steps: dict


@dataclass
class FactSpec:
    id: str
    module: str
    file: str
    version: int
    question: str
    options: list[dict]
    explanation: str


@dataclass
class QuizSection:
    quizzes: dict[str, QuizSpec] = field(default_factory=dict)
    items: list[ItemSpec] = field(default_factory=list)
    facts: list[FactSpec] = field(default_factory=list)


def check_threshold(value: float) -> str | None:
    return None if 0 < value <= 1 else f"must be more than 0 and at most 1, not {value}"


def read_quiz(reader: FileReader, module_id: str, data: Mapping | None) -> QuizSpec:
    spec = QuizSpec(module=module_id, file=reader.name)
    if data is None:
        return spec
    spec.pass_threshold = float(
        reader.get(
            data, "pass_threshold", (int, float), prefix="quiz.", required=False, default=0.7, check=check_threshold
        )
    )
    spec.harmful_fails = reader.get(data, "harmful_fails", bool, prefix="quiz.", required=False, default=True)
    reflection = reader.get(data, "reflection", dict, prefix="quiz.", required=False)
    if reflection is not None:
        spec.reflection_prompt = reader.get(reflection, "prompt", str, prefix="quiz.reflection.") or ""
        rubric = reader.get(reflection, "rubric", list, prefix="quiz.reflection.", required=False, default=[])
        spec.reflection_rubric = [str(c) for c in rubric if isinstance(c, str) and c.strip()]
        spec.reflection_exemplar = reader.get(
            reflection, "exemplar", str, prefix="quiz.reflection.", required=False, default=""
        )
    return spec


def read_step(reader: FileReader, data: Mapping, prefix: str, depth: int, root: bool) -> dict | None:
    """Check one step (and its branches) and return it as plain data."""
    step: dict[str, Any] = {}
    if not root:
        reply = reader.get(data, "client_reply", str, prefix=prefix)
        step["client_reply"] = reply or ""
    options = reader.get(data, "options", list, prefix=prefix)
    if options is None:
        return None
    if len(options) < 2:
        reader.problem(f"needs at least 2 options, has {len(options)}", f"{prefix}options", line_of(data, "options"))
    step["options"] = []
    seen: set[str] = set()
    for index, raw in enumerate(options):
        where = f"{prefix}options[{index}]."
        if not isinstance(raw, dict):
            reader.problem("must be a mapping", f"{prefix}options[{index}]", line_of(data, "options"))
            continue
        option_id = reader.get(raw, "id", str, prefix=where, check=check_option_id)
        if option_id in seen:
            reader.problem(f"duplicate option id {option_id!r} in this step", f"{where}id", line_of(raw, "id"))
        seen.add(option_id)
        grade = reader.get(raw, "grade", int, prefix=where, check=check_grade)
        option = {
            "id": option_id,
            "text": reader.get(raw, "text", str, prefix=where) or "",
            "grade": grade if grade is not None else 0,
            "rationale": reader.get(raw, "rationale", str, prefix=where, required=False, default=""),
            "dimensions": [],
        }
        for dimension in reader.get(raw, "dimensions", list, prefix=where, required=False, default=[]):
            if dimension not in DIMENSIONS:
                reader.problem(
                    f"unknown dimension {dimension!r} (known: {', '.join(DIMENSIONS)})",
                    f"{where}dimensions",
                    line_of(raw, "dimensions"),
                )
            else:
                option["dimensions"].append(dimension)
        nxt = reader.get(raw, "next", dict, prefix=where, required=False)
        if nxt is not None:
            if depth >= grading.MAX_DEPTH:
                reader.problem(
                    f"branches may go at most {grading.MAX_DEPTH} steps deep", f"{where}next", line_of(raw, "next")
                )
            else:
                option["next"] = read_step(reader, nxt, f"{where}next.", depth + 1, root=False)
        step["options"].append(option)
    best = [o for o in step["options"] if o["grade"] == grading.BEST]
    if len(best) != 1:
        reader.problem(
            f"needs exactly one best option (grade 3), has {len(best)}", f"{prefix}options", line_of(data, "options")
        )
    return step


def check_grade(value: int) -> str | None:
    return None if value in grading.GRADE_LABELS else f"must be 0, 1, 2 or 3, not {value}"


def check_option_id(value: str) -> str | None:
    return None if value.isalnum() and len(value) <= 8 else f"{value!r} is not a valid option id (letters/digits)"


def read_item(reader: FileReader, data: Mapping, module_id: str, order: int) -> ItemSpec | None:
    for unknown in sorted(set(data) - ITEM_FIELDS):
        reader.problem("is not a field of a scenario item", str(unknown), line_of(data, unknown))
    skill = reader.get(data, "skill", str, check=lambda s: None if s in SKILLS else f"unknown skill {s!r}")
    difficulty = reader.get(
        data,
        "difficulty",
        str,
        check=lambda d: None if d in DIFFICULTIES else f"must be one of {', '.join(DIFFICULTIES)}, not {d!r}",
    )
    steps = read_step(reader, data, "", 1, root=True)
    item_id = reader.identifier(data)
    if item_id is None or skill is None or difficulty is None or steps is None:
        return None
    return ItemSpec(
        id=item_id,
        module=module_id,
        file=reader.name,
        order=order,
        version=reader.get(data, "version", int, required=False, default=1, check=check_positive),
        skill=skill,
        isomorph_group=reader.get(data, "isomorph_group", str, required=False, default=skill),
        difficulty=difficulty,
        content_note=reader.get(data, "content_note", str, required=False, default=""),
        write_first=reader.get(data, "write_first", bool, required=False, default=False),
        vignette=reader.get(data, "vignette", str) or "",
        client_statement=reader.get(data, "client_statement", str) or "",
        steps=steps,
    )


def read_fact(reader: FileReader, data: Any, index: int, modules: set[str]) -> FactSpec | None:
    prefix = f"[{index}]."
    if not isinstance(data, dict):
        reader.problem("must be a mapping", f"[{index}]")
        return None
    module = reader.get(
        data, "module", str, prefix=prefix, check=lambda m: None if m in modules else f"unknown module {m!r}"
    )
    options = []
    for number, raw in enumerate(reader.get(data, "options", list, prefix=prefix, default=[])):
        where = f"{prefix}options[{number}]."
        if not isinstance(raw, dict):
            reader.problem("must be a mapping", where[:-1], line_of(data, "options"))
            continue
        options.append(
            {
                "id": reader.get(raw, "id", str, prefix=where, check=check_option_id) or "",
                "text": reader.get(raw, "text", str, prefix=where) or "",
                "correct": reader.get(raw, "correct", bool, prefix=where, required=False, default=False),
            }
        )
    if options and sum(o["correct"] for o in options) != 1:
        reader.problem(
            f"needs exactly one correct option, has {sum(o['correct'] for o in options)}",
            f"{prefix}options",
            line_of(data, "options"),
        )
    fact_id = reader.identifier(data, prefix=prefix)
    if fact_id is None or module is None:
        return None
    return FactSpec(
        id=fact_id,
        module=module,
        file=reader.name,
        version=reader.get(data, "version", int, prefix=prefix, required=False, default=1, check=check_positive),
        question=reader.get(data, "question", str, prefix=prefix) or "",
        options=options,
        explanation=reader.get(data, "explanation", str, prefix=prefix) or "",
    )


class QuizExtension:
    name = "quizzes"

    def load(self, package: CoursePackage, problems: list[Problem]) -> QuizSection:
        section = QuizSection()
        seen: dict[str, str] = {}
        for module in package.modules:
            module_reader = FileReader(package.root, module.directory / "module.yaml", problems)
            section.quizzes[module.id] = read_quiz(module_reader, module.id, module.quiz)
            item_dir = module.directory / "items"
            paths = sorted(item_dir.glob("*.yaml")) + sorted(item_dir.glob("*.yml")) if item_dir.is_dir() else []
            for order, path in enumerate(paths, start=1):
                reader = FileReader(package.root, path, problems)
                data = reader.load_yaml()
                if data is None:
                    if not any(p.file == reader.name for p in problems):
                        reader.problem("is empty")
                    continue
                data = reader.mapping(data, "a scenario item")
                item = read_item(reader, data, module.id, order) if data is not None else None
                if item is None:
                    continue
                if item.id in seen:
                    reader.problem(
                        f"duplicate item id {item.id!r} (also in {seen[item.id]})", "id", line_of(data, "id")
                    )
                    continue
                seen[item.id] = reader.name
                section.items.append(item)
        facts_path = package.root / "facts.yaml"
        if facts_path.exists():
            reader = FileReader(package.root, facts_path, problems)
            data = reader.load_yaml()
            if data is not None and not isinstance(data, list):
                reader.problem("must be a list of facts")
            facts_seen: set[str] = set()
            for index, raw in enumerate(data if isinstance(data, list) else []):
                fact = read_fact(reader, raw, index, {m.id for m in package.modules})
                if fact is None:
                    continue
                if fact.id in facts_seen:
                    reader.problem(f"duplicate fact id {fact.id!r}", f"[{index}].id")
                facts_seen.add(fact.id)
                section.facts.append(fact)
        return section

    def apply(self, course, modules: dict, section: QuizSection, report: ImportReport) -> None:
        from .services import package_apply

        package_apply(course, modules, section, report)

    def validate(self, package: CoursePackage, section: QuizSection) -> list[Problem]:
        from .validation import package_problems  # validation imports this module

        return package_problems(package, section)

    def summary(self, package: CoursePackage, section: QuizSection) -> dict[str, int | str]:
        from .validation import package_summary

        return package_summary(package, section)
