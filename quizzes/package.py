"""Reading the quizzes' part of a course package: the course's vocabulary (skills and
dimensions, `vocabulary.yaml`), module quiz settings and scenario items. Pure parsing: no ORM.

quizzes.extension registers it with course.package, so `import_course` reads and applies it
in the same transaction as the lessons, with the same problem reporting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from course.package import CoursePackage, FileReader, Mapping, Problem, check_positive, line_of

from . import grading, sessions
from .grading import DIFFICULTIES

VOCABULARY_FILE = "vocabulary.yaml"

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
# A relationship-state session (quizzes/sessions.py) has these instead of options.
SESSION_FIELDS = (ITEM_FIELDS - {"options"}) | {
    "kind",
    "state",
    "start",
    "max_turns",
    "end_when",
    "on_turn_limit",
    "turns",
    "endings",
}


@dataclass
class QuizSpec:
    module: str
    file: str
    pass_threshold: float = 0.7
    harmful_fails: bool = True
    show_state: bool = True  # sessions show what each reply changed; false for an exam
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
class QuizSection:
    quizzes: dict[str, QuizSpec] = field(default_factory=dict)
    items: list[ItemSpec] = field(default_factory=list)
    skills: dict[str, str] = field(default_factory=dict)  # key -> name, in the package's order
    dimensions: dict[str, str] = field(default_factory=dict)


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
    spec.show_state = reader.get(data, "show_state", bool, prefix="quiz.", required=False, default=True)
    reflection = reader.get(data, "reflection", dict, prefix="quiz.", required=False)
    if reflection is not None:
        spec.reflection_prompt = reader.get(reflection, "prompt", str, prefix="quiz.reflection.") or ""
        rubric = reader.get(reflection, "rubric", list, prefix="quiz.reflection.", required=False, default=[])
        spec.reflection_rubric = [str(c) for c in rubric if isinstance(c, str) and c.strip()]
        spec.reflection_exemplar = reader.get(
            reflection, "exemplar", str, prefix="quiz.reflection.", required=False, default=""
        )
    return spec


def read_step(
    reader: FileReader,
    data: Mapping,
    prefix: str,
    depth: int,
    root: bool,
    dimensions: dict | None = None,
    item_id: str = "",
) -> dict | None:
    """Check one step (and its branches) and return it as plain data. With `dimensions` (the
    course's, key -> name), an option may only name those; without, any name is kept.
    `item_id` names the item in problems that a reader must find by item and option."""
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
        }
        option["dimensions"] = read_dimensions(reader, raw, where, option_id, item_id, dimensions)
        nxt = reader.get(raw, "next", dict, prefix=where, required=False)
        if nxt is not None:
            if depth >= grading.MAX_DEPTH:
                reader.problem(
                    f"branches may go at most {grading.MAX_DEPTH} steps deep", f"{where}next", line_of(raw, "next")
                )
            else:
                option["next"] = read_step(
                    reader, nxt, f"{where}next.", depth + 1, root=False, dimensions=dimensions, item_id=item_id
                )
        step["options"].append(option)
    best = [o for o in step["options"] if o["grade"] == grading.BEST]
    if len(best) != 1:
        reader.problem(
            f"needs exactly one best option (grade 3), has {len(best)}", f"{prefix}options", line_of(data, "options")
        )
    return step


def read_dimensions(
    reader: FileReader, raw: Mapping, where: str, option_id, item_id: str, dimensions: dict | None
) -> dict[str, str]:
    """An option's dimension tags: a mapping of dimension id to its polarity, `shows` or
    `breaks` (`{rupture_repair: shows, warmth: breaks}`). A bare list says nothing of polarity,
    so it is refused with the item and option named, rather than guessed from the grade."""
    tags = raw.get("dimensions")
    if tags is None:
        return {}
    owner = f"item {item_id}, option {option_id}" if item_id else f"option {option_id}"
    line = line_of(raw, "dimensions")
    polarities = " or ".join(grading.POLARITIES)
    if isinstance(tags, list):
        bare = ", ".join(str(t) for t in tags) or "nothing"
        reader.problem(
            f"{owner}: tags {bare} without a polarity; map each dimension to {polarities}, "
            f"for example {{{tags[0] if tags else 'empathy'}: shows}}",
            f"{where}dimensions",
            line,
        )
        return {}
    if not isinstance(tags, dict):
        reader.problem(f"{owner}: must map dimension ids to {polarities}", f"{where}dimensions", line)
        return {}
    result: dict[str, str] = {}
    for key, polarity in tags.items():
        if dimensions is not None and key not in dimensions:
            reader.problem(
                f"{owner}: unknown dimension {key!r} (the course's {VOCABULARY_FILE} declares: "
                f"{', '.join(dimensions) or 'none'})",
                f"{where}dimensions",
                line,
            )
        elif polarity not in grading.POLARITIES:
            reader.problem(
                f"{owner}: dimension {key!r} needs a polarity, {polarities}, not {polarity!r}",
                f"{where}dimensions.{key}",
                line,
            )
        else:
            result[str(key)] = polarity
    return result


def check_grade(value: int) -> str | None:
    return None if value in grading.GRADE_LABELS else f"must be 0, 1, 2 or 3, not {value}"


def check_option_id(value: str) -> str | None:
    return None if value.isalnum() and len(value) <= 8 else f"{value!r} is not a valid option id (letters/digits)"


def read_item(
    reader: FileReader, data: Mapping, module_id: str, order: int, vocabulary: QuizSection
) -> ItemSpec | None:
    kind = data.get("kind", "branching")
    if kind not in ("branching", sessions.KIND):
        reader.problem(f"must be branching or {sessions.KIND}, not {kind!r}", "kind", line_of(data, "kind"))
    fields = SESSION_FIELDS if kind == sessions.KIND else ITEM_FIELDS
    for unknown in sorted(set(data) - fields):
        reader.problem("is not a field of a scenario item", str(unknown), line_of(data, unknown))

    def check_skill(key: str) -> str | None:
        if key in vocabulary.skills:
            return None
        return f"unknown skill {key!r}: declare it under skills in the course's {VOCABULARY_FILE}"

    skill = reader.get(data, "skill", str, check=check_skill)
    difficulty = reader.get(
        data,
        "difficulty",
        str,
        check=lambda d: None if d in DIFFICULTIES else f"must be one of {', '.join(DIFFICULTIES)}, not {d!r}",
    )
    if kind == sessions.KIND:
        steps = read_session(reader, data, vocabulary.dimensions)
    else:
        item_name = data.get("id") if isinstance(data.get("id"), str) else ""
        steps = read_step(reader, data, "", 1, root=True, dimensions=vocabulary.dimensions, item_id=item_name)
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


def read_vocabulary(package: CoursePackage, problems: list[Problem], section: QuizSection) -> None:
    """The course's skills and dimensions from vocabulary.yaml: lists of {id, name}."""
    path = package.root / VOCABULARY_FILE
    if not path.exists():
        return  # a course without scenario items needs none; items then name unknown skills
    reader = FileReader(package.root, path, problems)
    data = reader.load_yaml()
    if data is None:
        return
    data = reader.mapping(data, "the course's vocabulary")
    if data is None:
        return
    for unknown in sorted(set(data) - {"skills", "dimensions"}):
        reader.problem("is not a part of the vocabulary (skills, dimensions)", str(unknown), line_of(data, unknown))
    for part in ("skills", "dimensions"):
        entries = reader.get(data, part, list, required=part == "skills", default=[])
        target = getattr(section, part)
        for index, raw in enumerate(entries or []):
            where = f"{part}[{index}]."
            if not isinstance(raw, dict):
                reader.problem("must be a mapping with id and name", f"{part}[{index}]", line_of(data, part))
                continue
            key = reader.get(raw, "id", str, prefix=where, check=check_vocabulary_key)
            name = reader.get(raw, "name", str, prefix=where)
            for unknown in sorted(set(raw) - {"id", "name"}):
                reader.problem("is not a field of a vocabulary entry", f"{where}{unknown}", line_of(raw, unknown))
            if key is None or name is None:
                continue
            if key in target:
                reader.problem(f"duplicate {part[:-1]} id {key!r}", f"{where}id", line_of(raw, "id"))
                continue
            target[key] = name


def check_vocabulary_key(value: str) -> str | None:
    ok = 0 < len(value) <= 64 and all(c.isascii() and (c.isalnum() or c in "._-") for c in value)
    return None if ok else f"{value!r} is not a valid id (up to 64 letters, digits, '.', '_' or '-')"


def load_section(package: CoursePackage, problems: list[Problem]) -> QuizSection:
    """The quizzes' part of a package: vocabulary, module quiz settings and items."""
    section = QuizSection()
    read_vocabulary(package, problems, section)
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
            item = read_item(reader, data, module.id, order, section) if data is not None else None
            if item is None:
                continue
            if item.id in seen:
                reader.problem(f"duplicate item id {item.id!r} (also in {seen[item.id]})", "id", line_of(data, "id"))
                continue
            seen[item.id] = reader.name
            section.items.append(item)
    return section


# ---------------------------------------------------------------- relationship-state sessions


def read_session(reader: FileReader, data: Mapping, dimensions: dict | None) -> dict | None:
    """Check a session's structure (quizzes/sessions.py) and return its spec as plain data.
    Each problem names the variable, turn, rule or ending; what paths do is checked later
    by validate_course, which explores them all."""
    before = len(reader.problems)
    state: dict[str, dict] = {}
    raw_state = reader.get(data, "state", dict) or {}
    for name, raw in raw_state.items():
        where = f"state.{name}."
        if not isinstance(raw, dict):
            reader.problem("must be a mapping with min, max and start", f"state.{name}", line_of(raw_state, name))
            continue
        low = reader.get(raw, "min", int, prefix=where)
        high = reader.get(raw, "max", int, prefix=where)
        begin = reader.get(raw, "start", int, prefix=where)
        if None in (low, high, begin):
            continue
        if not low <= begin <= high:
            reader.problem(f"start {begin} is outside min {low} and max {high}", f"{where}start", line_of(raw, "start"))
        variable = {"min": low, "max": high, "start": begin}
        window = reader.get(raw, "window", list, prefix=where, required=False)
        if window is not None:
            if (
                len(window) != 2
                or not all(isinstance(v, int) for v in window)
                or not low <= window[0] <= window[1] <= high
            ):
                reader.problem("must be [low, high] inside min and max", f"{where}window", line_of(raw, "window"))
            else:
                variable["window"] = list(window)
        state[name] = variable
    raw_endings = reader.get(data, "endings", dict) or {}
    endings: dict[str, dict] = {}
    for ending_id, raw in raw_endings.items():
        where = f"endings.{ending_id}."
        if not isinstance(raw, dict):
            reader.problem(
                "must be a mapping with title, outcome and debrief", where[:-1], line_of(raw_endings, ending_id)
            )
            continue
        outcome = reader.get(
            raw,
            "outcome",
            str,
            prefix=where,
            check=lambda o: None if o in sessions.OUTCOMES else f"must be one of {', '.join(sessions.OUTCOMES)}",
        )
        endings[str(ending_id)] = {
            "title": reader.get(raw, "title", str, prefix=where) or "",
            "outcome": outcome or "poor",
            "debrief": reader.get(raw, "debrief", str, prefix=where) or "",
        }
    raw_turns = reader.get(data, "turns", dict) or {}
    turn_ids = {str(t) for t in raw_turns}
    clash = turn_ids & set(endings)
    for name in sorted(clash):
        reader.problem(f"{name!r} names both a turn and an ending", f"turns.{name}", line_of(raw_turns, name))
    targets = turn_ids | set(endings)

    def condition(raw, where: str, line) -> dict | None:
        if raw is None:
            return None
        if not isinstance(raw, dict):
            reader.problem("must map variables (or option) to tests", where, line)
            return None
        for name, test in raw.items():
            if name == "option":
                continue
            if name not in state:
                reader.problem(f"names {name!r}, which the session's state does not declare", where, line)
                continue
            error = sessions.check_test(state[name], test)
            if error:
                reader.problem(f"{name}: {error}", where, line)
        return dict(raw)

    def rules(raw_rules, where: str, need_default: bool) -> list[dict]:
        result = []
        for index, raw in enumerate(raw_rules or []):
            at = f"{where}[{index}]"
            if not isinstance(raw, dict):
                reader.problem("must be a mapping with goto (and when)", at)
                continue
            goto = reader.get(raw, "goto", str, prefix=f"{at}.")
            if goto is not None and goto not in targets:
                reader.problem(
                    f"goes to {goto!r}, which is neither a turn nor an ending", f"{at}.goto", line_of(raw, "goto")
                )
            rule = {"goto": goto or ""}
            when = condition(raw.get("when"), f"{at}.when", line_of(raw, "when"))
            if when is not None:
                rule["when"] = when
            result.append(rule)
        if need_default and (not result or "when" in result[-1]):
            reader.problem("needs a last rule without `when`: the default", where)
        return result

    turns: dict[str, dict] = {}
    for turn_id, raw in raw_turns.items():
        turn_id = str(turn_id)
        where = f"turns.{turn_id}."
        if not isinstance(raw, dict):
            reader.problem("must be a mapping with client, options and next", where[:-1], line_of(raw_turns, turn_id))
            continue
        for unknown in sorted(set(raw) - {"client", "lines", "options", "next"}):
            reader.problem("is not a field of a turn", f"{where}{unknown}", line_of(raw, unknown))
        item_name = data.get("id") if isinstance(data.get("id"), str) else ""
        step = read_step(reader, raw, where, 1, root=True, dimensions=dimensions, item_id=item_name)
        if step is None:
            continue
        for index, option in enumerate(step["options"]):
            if option.get("next"):
                reader.problem(
                    "a session's option moves by the turn's rules, not by next", f"{where}options[{index}].next"
                )
            raw_option = raw["options"][index] if isinstance(raw["options"][index], dict) else {}
            effect = raw_option.get("effect") or {}
            if not isinstance(effect, dict) or not all(
                name in state and isinstance(change, int) and not isinstance(change, bool)
                for name, change in effect.items()
            ):
                reader.problem(
                    f"must map declared variables ({', '.join(state)}) to whole-number changes",
                    f"{where}options[{index}].effect",
                    line_of(raw_option, "effect"),
                )
            else:
                option["effect"] = dict(effect)
            option.pop("next", None)
        lines = []
        for index, line in enumerate(raw.get("lines") or []):
            at = f"{where}lines[{index}]"
            if not isinstance(line, dict) or not isinstance(line.get("text"), str):
                reader.problem("must be a mapping with text and when", at)
                continue
            when = condition(line.get("when"), f"{at}.when", line_of(line, "when"))
            lines.append({"text": line["text"], "when": when or {}})
        turns[turn_id] = {
            "client": raw.get("client") if isinstance(raw.get("client"), str) else "",
            "lines": lines,
            "options": step["options"],
            "next": rules(reader.get(raw, "next", list, prefix=where) or [], f"{where}next", need_default=True),
        }
    start_turn = reader.get(
        data, "start", str, check=lambda t: None if t in turn_ids else f"{t!r} is not a turn of this session"
    )
    max_turns = reader.get(
        data,
        "max_turns",
        int,
        check=lambda n: None if 1 <= n <= sessions.MAX_TURNS_LIMIT else f"must be 1-{sessions.MAX_TURNS_LIMIT}",
    )
    on_limit = reader.get(
        data, "on_turn_limit", str, check=lambda e: None if e in endings else f"{e!r} is not an ending of this session"
    )
    end_when = rules(reader.get(data, "end_when", list, required=False, default=[]), "end_when", need_default=False)
    for index, rule in enumerate(end_when):
        if rule["goto"] and rule["goto"] not in endings:
            reader.problem(f"must go to an ending, not the turn {rule['goto']!r}", f"end_when[{index}].goto")
    if len(reader.problems) > before or None in (start_turn, max_turns, on_limit):
        return None
    return {
        "kind": sessions.KIND,
        "state": state,
        "start": start_turn,
        "max_turns": max_turns,
        "on_turn_limit": on_limit,
        "end_when": end_when,
        "turns": turns,
        "endings": endings,
    }
