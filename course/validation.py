"""Content rules for a loaded course package, beyond its structure. Pure: no ORM.

`load_package` already refuses a package that cannot be read; these rules keep what
can be read honest: lesson length, objectives, key terms, evidence labels and citations
that lead to a reference of the lesson's module. Extensions (scenario items, facts) add
their own rules and counts through optional `validate` and `summary` methods.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .package import CoursePackage, LessonSpec, ModuleSpec, Problem, extensions
from .rendering import EVIDENCE_LEVELS

LESSON_MIN_WORDS = 300
LESSON_MAX_WORDS = 900

# The first edition's four labels, refused with the labels that replace them (issue 10).
RETIRED_EVIDENCE_LEVELS: dict[str, tuple[str, ...]] = {
    "meta-analytic": ("meta-analysis",),
    "trial": ("rct", "single-study", "review"),
}

# Broader than rendering.EVIDENCE_LABEL so that a misspelt label ({evidence=Trial}) is caught, not printed.
ANY_EVIDENCE_LABEL = re.compile(r"\{\s*evidence\s*=\s*([^}]*)\}")
# A word holds at least one letter or digit: Markdown marks (##, -, **, =) are not words.
WORD = re.compile(r"\S*[^\W_]\S*")

# Built from str.isupper so that Flückiger, Ørsted or Łukasz count as capitalised surnames.
_UPPER = "".join(re.escape(c) for c in map(chr, range(0x250)) if c.isupper())
_SURNAME = rf"(?:(?:van|von|de|der|den|du|da|di|la|le|ten|ter)\s+)*[{_UPPER}][^\W\d_]*(?:[-'’][^\W\d_]+)*"
_NAME = rf"{_SURNAME}(?:\s+{_SURNAME})?"
_YEAR = r"(?:1[89]|20)\d{2}[a-z]?"
# "Bordin (1979)", "Tryon et al. (2018)", "Safran and Muran's (2000)", "Hill, Knox and Pinto-Coelho (2018, p. 3)"
NARRATIVE_CITATION = re.compile(
    rf"(?P<names>{_NAME}(?:\s+et\s+al\.|(?:,\s+{_NAME})*,?\s+(?:&|and)\s+{_NAME})?)(?:['’]s)?"
    rf"\s+\((?P<years>{_YEAR}(?:,\s*{_YEAR})*)(?:[,;][^()]*)?\)"
)
PARENTHESES = re.compile(r"\(([^()]*)\)")
# One part of "(Yalom, 2002; Safran & Muran, 2000, p. 12)": names, a comma, one or more years.
CITATION_PART = re.compile(
    rf"^(?:(?:e\.g\.|i\.e\.|see also|see|cf\.|as cited in),?\s+)?(?P<names>[^\d;]+?),\s*"
    rf"(?P<years>{_YEAR}(?:,\s*{_YEAR})*)(?:,\s*(?:p|pp|para|chap)\.\s*\S+)?\s*$"
)
FIRST_NAME = re.compile(rf"^{_NAME}$")


@dataclass(frozen=True)
class Citation:
    surname: str
    year: str
    text: str
    offset: int


def validate_package(package: CoursePackage) -> list[Problem]:
    """Every content problem of a loaded package: lessons here, then each extension's own rules."""
    problems = lesson_problems(package)
    for extension in extensions():
        validate = getattr(extension, "validate", None)
        if validate is not None and extension.name in package.sections:
            problems += validate(package, package.sections[extension.name])
    return problems


def package_summary(package: CoursePackage) -> dict[str, int]:
    """Counts for the validator's summary line: modules, lessons, words, then each extension's."""
    lessons = [lesson for module in package.modules for lesson in module.lessons]
    summary = {
        "modules": len(package.modules),
        "lessons": len(lessons),
        "words": sum(word_count(lesson.body) for lesson in lessons),
    }
    for extension in extensions():
        summarise = getattr(extension, "summary", None)
        if summarise is not None and extension.name in package.sections:
            summary.update(summarise(package, package.sections[extension.name]))
    return summary


def package_report(package: CoursePackage) -> list[str]:
    """Lines each extension wants read before the summary (for example every session's paths)."""
    lines: list[str] = []
    for extension in extensions():
        report = getattr(extension, "report", None)
        if report is not None and extension.name in package.sections:
            lines += report(package, package.sections[extension.name])
    return lines


def word_count(markdown: str) -> int:
    """Words of a Markdown text as a reader meets them: evidence labels and bare Markdown marks excluded."""
    return len(WORD.findall(ANY_EVIDENCE_LABEL.sub(" ", markdown)))


def lesson_problems(package: CoursePackage) -> list[Problem]:
    problems: list[Problem] = []
    for module in package.modules:
        for lesson in module.lessons:
            problems += _lesson_problems(module, lesson)
    return problems


def _lesson_problems(module: ModuleSpec, lesson: LessonSpec) -> list[Problem]:
    problems: list[Problem] = []

    def problem(message: str, field: str | None = None, offset: int | None = None) -> None:
        line = None if offset is None else lesson.body_line + lesson.body[:offset].count("\n")
        problems.append(Problem(lesson.file, f"lesson {lesson.id}: {message}", field, line))

    words = word_count(lesson.body)
    if not LESSON_MIN_WORDS <= words <= LESSON_MAX_WORDS:
        problem(f"has {words} words; a lesson needs {LESSON_MIN_WORDS}-{LESSON_MAX_WORDS}", "body")
    if not lesson.objectives:
        problem("has no learning objectives", "objectives")
    if not lesson.key_terms:
        problem("has no key terms", "key_terms")
    labels = list(ANY_EVIDENCE_LABEL.finditer(lesson.body))
    if not labels:
        problem("has no evidence label; mark each claim with {evidence=...}", "body")
    for label in labels:
        level = label.group(1)
        if level in RETIRED_EVIDENCE_LEVELS:
            problem(
                f"retired evidence label {label.group(0)!r}: use {' or '.join(RETIRED_EVIDENCE_LEVELS[level])}, "
                f"by what the cited evidence is (known: {', '.join(EVIDENCE_LEVELS)})",
                "body",
                label.start(),
            )
        elif level not in EVIDENCE_LEVELS:
            problem(
                f"unknown evidence label {label.group(0)!r} (known: {', '.join(EVIDENCE_LEVELS)})",
                "body",
                label.start(),
            )
    keys = {reference["key"] for reference in module.references}
    for key in lesson.references:
        if key not in keys:
            problem(f"reference {key!r} is not in the references of {module.file}", "references")
    for citation in citations(lesson.body):
        if not any(cites(citation, reference["apa"]) for reference in module.references):
            problem(f"cites {citation.text!r}, which matches no reference of {module.file}", "body", citation.offset)
    for index, term in enumerate(lesson.key_terms):
        for citation in citations(term["definition"]):
            if not any(cites(citation, reference["apa"]) for reference in module.references):
                problem(
                    f"cites {citation.text!r}, which matches no reference of {module.file}",
                    f"key_terms[{index}].definition",
                )
    return problems


def citations(text: str) -> list[Citation]:
    """The in-text citations of a text, one per (first author, year), in order.

    Only capitalised surnames with a four-digit year count, so "in 2018" or "(r = .28)" are
    not citations; a group author may be cited by its acronym (SAMHSA, 2014).
    """
    text = unicodedata.normalize("NFC", text)
    found: list[Citation] = []
    for match in NARRATIVE_CITATION.finditer(text):
        for year in re.split(r",\s*", match.group("years")):
            found.append(Citation(_first_author(match.group("names")), year, match.group(0), match.start()))
    for match in PARENTHESES.finditer(text):
        for part in match.group(1).split(";"):
            part_match = CITATION_PART.match(part.strip())
            if not part_match:
                continue
            first = _first_author(part_match.group("names"))
            if not FIRST_NAME.match(first):
                continue
            for year in re.split(r",\s*", part_match.group("years")):
                found.append(Citation(first, year, f"({part.strip()})", match.start()))
    return sorted(found, key=lambda citation: citation.offset)


def _first_author(names: str) -> str:
    first = re.split(r",|\s&\s|\sand\s|\set\s+al\.", names, maxsplit=1)[0]
    return first.strip()


def cites(citation: Citation, apa: str) -> bool:
    """Whether a citation points at a reference: its first author's surname is among the
    reference's authors (the text before the year) and its year is the reference's year."""
    apa = unicodedata.normalize("NFC", apa)
    year = re.search(r"\((?:\d{4}|n\.d\.)", apa)
    authors = apa[: year.start()] if year else apa
    if not re.search(rf"(?<!\d){citation.year}(?![\da-z])", apa):
        return False
    words = citation.surname.split()
    # "As Bordin (1979)" is found as "As Bordin": any trailing part of the name may be the surname.
    for start in range(len(words)):
        surname = " ".join(words[start:])
        if re.search(rf"(?<![^\W\d_]){re.escape(surname)}(?![^\W\d_])", authors):
            return True
    acronym = citation.surname
    if acronym.isupper() and len(acronym) > 1:
        initials = "".join(word[0] for word in re.findall(r"[^\W\d_]+", authors) if word[0].isupper())
        return acronym == initials or re.search(rf"\b{re.escape(acronym)}\b", apa) is not None
    return False
