"""The facts deck's part of a course package (`facts.yaml`): reading it (pure), and the
extension that course.package calls to import it in the same transaction as the lessons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from course.package import CoursePackage, FileReader, Problem, check_positive, line_of

from ..package import check_option_id

FACTS_FILE = "facts.yaml"


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
class FactsSection:
    facts: list[FactSpec] = field(default_factory=list)


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


def load_section(package: CoursePackage, problems: list[Problem]) -> FactsSection:
    section = FactsSection()
    path = package.root / FACTS_FILE
    if not path.exists():
        return section
    reader = FileReader(package.root, path, problems)
    data = reader.load_yaml()
    if data is not None and not isinstance(data, list):
        reader.problem("must be a list of facts")
    seen: set[str] = set()
    for index, raw in enumerate(data if isinstance(data, list) else []):
        fact = read_fact(reader, raw, index, {m.id for m in package.modules})
        if fact is None:
            continue
        if fact.id in seen:
            reader.problem(f"duplicate fact id {fact.id!r}", f"[{index}].id")
        seen.add(fact.id)
        section.facts.append(fact)
    return section


class FactsExtension:
    name = "facts"

    def load(self, package: CoursePackage, problems: list[Problem]) -> FactsSection:
        return load_section(package, problems)

    def apply(self, course, modules: dict, section: FactsSection, report) -> None:
        from .services import facts_apply  # services reach the ORM; reading stays pure

        facts_apply(course, modules, section, report)

    def summary(self, package: CoursePackage, section: FactsSection) -> dict[str, int]:
        return {"facts": len(section.facts)}
