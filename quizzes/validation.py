"""Checks of scenario items: outside a package (the admin's JSON editor) with the import's rules,
and in a loaded package with the keying rules of `validate_course`. Pure: no ORM."""

import re
from collections import defaultdict
from pathlib import Path

from course.package import CoursePackage, FileReader, Mapping, Problem
from course.validation import word_count

from . import cues, grading, sessions
from .package import ItemSpec, QuizSection, read_step


def item_problems(steps: dict, dimensions: dict | None = None) -> list[str]:
    """Problems with an item's option tree, each naming its field; empty when it is sound.
    With `dimensions` (the course's, key -> name), options may only name those."""
    problems: list[Problem] = []
    reader = FileReader(Path("."), Path("steps"), problems)
    read_step(reader, Mapping(steps), "", 1, root=True, dimensions=dimensions)
    return [f"{p.field}: {p.message}" if p.field else p.message for p in problems]


# The keying rules of `validate_course` (docs/course-package.md), on a loaded package.
MAX_VIGNETTE_WORDS = 120
MIN_ISOMORPH_ITEMS = 3
# A trainee should not be able to pick the best option by its length.
MAX_LENGTH_RATIO = 1.8
MAX_BEST_LONGEST_SHARE = 0.35
# Nor by a surface cue (quizzes/cues.py): across the course, the share of best options carrying a cue
# ("?" at the end, the client's name, an intensifier) may differ from the other options' share by this much.
MAX_CUE_GAP = 0.15
CUE_SUMMARY = {
    "question": "end with '?'",
    "name": "use the client's name",
    "intensifier": "hold an intensifier",
}


def step_problems(step: dict) -> list[str]:
    """Keying problems of one step's options (not its branches), each naming the option where it can."""
    options = step.get("options", [])
    problems = []
    best = [o for o in options if o.get("grade") == grading.BEST]
    if len(best) != 1:
        problems.append(f"needs exactly one best option (grade 3), has {len(best)}")
    if not any(o.get("grade") == grading.HARMFUL for o in options):
        problems.append("needs at least one harmful option (grade 0), has none")
    for option in options:
        if not (option.get("rationale") or "").strip():
            problems.append(f"option {option.get('id')} has no rationale")
    problems.extend(polarity_problems(options))
    lengths = {o.get("id"): len((o.get("text") or "").strip()) for o in options}
    if lengths and min(lengths.values()) > 0:
        longest = max(lengths, key=lengths.get)
        shortest = min(lengths, key=lengths.get)
        ratio = lengths[longest] / lengths[shortest]
        if ratio > MAX_LENGTH_RATIO:
            problems.append(
                f"option {longest} ({lengths[longest]} characters) is {ratio:.2f} times as long as option "
                f"{shortest} ({lengths[shortest]}); at most {MAX_LENGTH_RATIO} allowed"
            )
    return problems


def polarity_problems(options: list[dict]) -> list[str]:
    """Dimension tags that contradict the grade: a harmful reply shows nothing worth crediting, a
    weak one that is tagged breaks at least one of its dimensions, and the best one breaks none.
    So a defensive reply is never counted as showing, say, persuasiveness."""
    problems = []
    for option in options:
        tags = grading.option_dimensions(option)
        shown = [key for key, polarity in tags if polarity == grading.SHOWS]
        broken = [key for key, polarity in tags if polarity == grading.BREAKS]
        grade, option_id = option.get("grade"), option.get("id")
        if grade == grading.HARMFUL and shown:
            problems.append(
                f"option {option_id} is harmful but shows {', '.join(shown)}; a harmful reply breaks the "
                "dimensions it touches"
            )
        elif grade == grading.WEAK and shown and not broken:
            problems.append(
                f"option {option_id} is weak but only shows {', '.join(shown)}; tag the dimension it breaks"
            )
        elif grade == grading.BEST and broken:
            problems.append(f"option {option_id} is the best reply but breaks {', '.join(broken)}")
    return problems


def best_is_longest(step: dict) -> bool:
    """Whether the step's best option is at least as long as every other option (a give-away)."""
    options = step.get("options", [])
    best = [o for o in options if o.get("grade") == grading.BEST]
    if len(best) != 1 or len(options) < 2:
        return False
    best_length = len(best[0]["text"].strip())
    return all(best_length >= len(o["text"].strip()) for o in options if o is not best[0])


def step_name(path: str) -> str:
    return f"step {path}" if path else "first step"


def session_problems(item: ItemSpec) -> list[str]:
    """A session's design problems (every path explored) and turns with no client line."""
    spec = item.steps
    messages = sessions.problems(spec)
    for turn_id, turn in spec["turns"].items():
        if turn_id != spec["start"] and not turn["client"] and not turn["lines"]:
            messages.append(f"turn {turn_id!r} has no client line")
    return messages


def session_report(section: QuizSection) -> list[str]:
    """One line per session: its distinct paths, how many reach each ending, and the score range."""
    lines = []
    for item in section.items:
        if not sessions.is_session(item.steps):
            continue
        found = sessions.explore(item.steps)
        if found.too_large:
            lines.append(f"Session {item.id}: more than {sessions.MAX_POSITIONS} positions")
            continue
        endings = ", ".join(f"{ending} {count}" for ending, count in sorted(found.endings.items()))
        lines.append(
            f"Session {item.id}: {found.paths} paths; endings: {endings}; "
            f"scores {found.worst:.2f}-{found.best:.2f} (best path {found.best_path})"
        )
    return lines


def package_problems(package: CoursePackage, section: QuizSection) -> list[Problem]:
    """Every keying problem of a package's scenario items and module quizzes, each naming file and item."""
    problems: list[Problem] = []
    longest_steps: list[tuple[ItemSpec, str]] = []
    step_total = 0
    for item in section.items:
        name = cues.client_name(item.vignette)
        words = word_count(item.vignette)
        if words > MAX_VIGNETTE_WORDS:
            problems.append(
                Problem(
                    item.file, f"item {item.id}: vignette has {words} words; at most {MAX_VIGNETTE_WORDS}", "vignette"
                )
            )
        if sessions.is_session(item.steps):
            for message in session_problems(item):
                problems.append(Problem(item.file, f"item {item.id}: {message}", "turns"))
        for path, step in grading.keyed_steps(item.steps):
            step_total += 1
            for message in step_problems(step) + cues.step_cue_problems(step.get("options", []), name):
                problems.append(Problem(item.file, f"item {item.id}, {step_name(path)}: {message}", "options"))
            if best_is_longest(step):
                longest_steps.append((item, path))

    problems.extend(client_name_problems(section))
    problems.extend(lesson_client_problems(package, section))
    problems.extend(lesson_echo_problems(package, section))

    groups: dict[str, list[ItemSpec]] = defaultdict(list)
    for item in section.items:
        groups[item.isomorph_group].append(item)
    for group, members in groups.items():
        if len(members) < MIN_ISOMORPH_ITEMS:
            names = ", ".join(member.id for member in members)
            for member in members:
                problems.append(
                    Problem(
                        member.file,
                        f"item {member.id}: isomorph group {group!r} has {len(members)} item(s) ({names}); "
                        f"needs at least {MIN_ISOMORPH_ITEMS} so that review can rotate them",
                        "isomorph_group",
                    )
                )

    problems.extend(level_problems(groups))

    share = len(longest_steps) / step_total if step_total else 0.0
    if share > MAX_BEST_LONGEST_SHARE:
        problems.append(
            Problem(
                "modules/*/items",
                f"the best option is the longest of its step in {len(longest_steps)} of {step_total} steps "
                f"({share:.0%}); at most {MAX_BEST_LONGEST_SHARE:.0%} allowed. Those steps follow.",
            )
        )
        for item, path in longest_steps:
            problems.append(
                Problem(item.file, f"item {item.id}, {step_name(path)}: the best option is the longest", "options")
            )

    for key, rate in cue_rates(section).items():
        if abs(rate.gap) > MAX_CUE_GAP:
            toward = "toward" if rate.gap > 0 else "away from"
            problems.append(
                Problem(
                    "modules/*/items",
                    f"{rate.best:.0%} of best options {CUE_SUMMARY[key]} against {rate.others:.0%} of the other "
                    f"options: a gap of {abs(rate.gap):.2f} that points {toward} the best option; at most "
                    f"{MAX_CUE_GAP:.2f} allowed",
                )
            )

    for module in package.modules:
        items = [item for item in section.items if item.module == module.id]
        if not items:
            continue
        if not any(item.write_first for item in items):
            problems.append(Problem(module.file, f"module {module.id}: none of its {len(items)} items is write_first"))
        quiz = section.quizzes.get(module.id)
        missing = [
            name
            for name, value in (
                ("prompt", quiz and quiz.reflection_prompt),
                ("rubric", quiz and quiz.reflection_rubric),
                ("exemplar", quiz and quiz.reflection_exemplar),
            )
            if not value
        ]
        if missing:
            problems.append(
                Problem(
                    module.file,
                    f"module {module.id}: its quiz reflection needs {', '.join(missing)}",
                    "quiz.reflection",
                )
            )
    return problems


def level_problems(groups: dict[str, list[ItemSpec]]) -> list[Problem]:
    """Each isomorph group big enough to rotate (3 or more items) holds an item at every level:
    review starts a trainee at beginner and moves them up and down (quizzes/review/levels.py), so a
    missing level leaves a trainee at that level with items pitched for another."""
    problems = []
    for group, members in groups.items():
        if len(members) < MIN_ISOMORPH_ITEMS:
            continue  # the group-size rule already names these
        present = {member.difficulty for member in members}
        missing = [level for level in grading.DIFFICULTIES if level not in present]
        if not missing:
            continue
        skills = sorted({member.skill for member in members})
        owner = f"skill {', '.join(skills)}" + (f" (isomorph group {group!r})" if skills != [group] else "")
        listed = ", ".join(f"{member.id} {member.difficulty}" for member in members)
        problems.append(
            Problem(
                members[0].file,
                f"{owner} has no {' or '.join(missing)} item ({listed}); each group needs an item at every "
                f"level, {', '.join(grading.DIFFICULTIES)}, since review moves a trainee through all three",
                "difficulty",
            )
        )
    return problems


def client_name_problems(section: QuizSection) -> list[Problem]:
    """A first name belongs to one client. Two items may share a client only when their vignettes
    open with the same name and the same age ("Harold, 71, ..."); any other pair of items whose
    clients share a first name is an error naming both, since a trainee who meets two Harolds
    brings the first one's story to the second (and the name cue then spans items)."""
    problems: list[Problem] = []
    first_seen: dict[str, list[ItemSpec]] = defaultdict(list)
    for item in section.items:
        name = cues.client_name(item.vignette)
        if not name:
            continue
        key = cues.fold(name)
        age = cues.client_age(item.vignette)
        for earlier in first_seen[key]:
            earlier_age = cues.client_age(earlier.vignette)
            if age is not None and age == earlier_age:
                continue  # the same client, met again
            ages = (
                f"aged {earlier_age} there and {age} here"
                if age is not None and earlier_age is not None
                else "no age in the vignette to show it is the same client"
            )
            problems.append(
                Problem(
                    item.file,
                    f"item {item.id}: its client {name} shares a first name with the client of item {earlier.id} "
                    f"({ages}); give each client a first name of their own",
                    "vignette",
                )
            )
            break
        first_seen[key].append(item)
    return problems


# A lesson's worked example introduces its client as "Farah, 36, a lawyer, ...": a capitalised
# name, then the age and a comma or a space ("Psychotherapy, 55(4)" is a journal, not a client).
LESSON_CLIENT = re.compile(r"(?<![\w-])([A-Z][^\W\d_]+(?:-[A-Z][^\W\d_]+)?), (\d{1,2})(?=[,\s])")


def lesson_client_problems(package: CoursePackage, section: QuizSection) -> list[Problem]:
    """The same rule for the clients of the lessons' worked examples, and stricter: no item may meet a
    lesson's example client, even with the same age, since the trainee has read the best reply in
    the lesson and the item then tests recall, not judgement. Nor may a different person take an
    item's client's name, nor two lessons give one name to two clients."""
    problems: list[Problem] = []
    items: dict[str, ItemSpec] = {}
    for item in section.items:
        name = cues.client_name(item.vignette)
        if name:
            items.setdefault(cues.fold(name), item)
    seen: dict[str, tuple[str, int]] = {}  # name -> (lesson id, age)
    for module in package.modules:
        for lesson in module.lessons:
            for match in LESSON_CLIENT.finditer(lesson.body):
                name, age = match.group(1), int(match.group(2))
                key = cues.fold(name)
                item = items.get(key)
                if item is not None and cues.client_age(item.vignette) == age:
                    problems.append(
                        Problem(
                            item.file,
                            f"item {item.id}: its client {name}, {age}, is the example client of lesson "
                            f"{lesson.id}, where the trainee reads a good reply; the item then tests recall, so "
                            "give it a client and a scenario of its own",
                            "vignette",
                        )
                    )
                elif item is not None:
                    problems.append(
                        Problem(
                            lesson.file,
                            f"lesson {lesson.id}: its example client {name}, {age}, shares a first name with the "
                            f"client of item {item.id} (aged {cues.client_age(item.vignette)}); give each client "
                            "a first name of their own",
                        )
                    )
                elif key in seen and seen[key][1] != age:
                    problems.append(
                        Problem(
                            lesson.file,
                            f"lesson {lesson.id}: its example client {name}, {age}, shares a first name with the "
                            f"example client of lesson {seen[key][0]} (aged {seen[key][1]}); give each client a "
                            "first name of their own",
                        )
                    )
                seen.setdefault(key, (lesson.id, age))
    return problems


# A best reply or a client line that repeats this many words in a row from a lesson is the lesson's
# worked example met again: the trainee recognises the reply instead of judging it.
LESSON_ECHO_WORDS = 10
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def _words(text: str) -> list[str]:
    return _WORD.findall(cues.fold(text.replace("\u2019", "'")))


def _runs(words: list[str]) -> list[tuple[str, ...]]:
    """Every run of LESSON_ECHO_WORDS words, in the order they appear."""
    n = LESSON_ECHO_WORDS
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


def lesson_echo_problems(package: CoursePackage, section: QuizSection) -> list[Problem]:
    """An item whose client statement (or a branch's client reply) or whose best option repeats
    LESSON_ECHO_WORDS words in a row from a lesson tests recall of that lesson's worked example;
    the error names the item, the step, the lesson and the repeated words."""
    lessons = [(lesson.id, set(_runs(_words(lesson.body)))) for module in package.modules for lesson in module.lessons]
    problems: list[Problem] = []
    for item in section.items:
        if sessions.is_session(item.steps):
            continue
        lines = [("its client statement", "client_statement", item.client_statement)]
        for path, step in grading.keyed_steps(item.steps):
            if path:
                lines.append((f"the client reply of {step_name(path)}", "options", step.get("client_reply") or ""))
            for option in step.get("options", []):
                if option.get("grade") == grading.BEST:
                    lines.append((f"the best option of {step_name(path)}", "options", option.get("text") or ""))
        for what, field, text in lines:
            runs = _runs(_words(text))
            for lesson_id, lesson_runs in lessons:
                shared = next((run for run in runs if run in lesson_runs), None)
                if shared is None:
                    continue
                problems.append(
                    Problem(
                        item.file,
                        f'item {item.id}: {what} repeats lesson {lesson_id} word for word ("{" ".join(shared)}..."); '
                        "the trainee would recognise the lesson's example instead of judging, so reword it "
                        f"(at most {LESSON_ECHO_WORDS - 1} words in a row from a lesson)",
                        field,
                    )
                )
                break
    return problems


def cue_rates(section: QuizSection) -> dict[str, cues.CueRate]:
    """Each surface cue's share of best options and of the other options, over every step of the items."""
    return cues.cue_report(
        (step.get("options", []), cues.client_name(item.vignette))
        for item in section.items
        for _, step in grading.keyed_steps(item.steps)
    )


def package_summary(package: CoursePackage, section: QuizSection) -> dict[str, int | str]:
    """Counts for the summary line, then each cue's rates, printed as "79% of best vs 31% of others end with '?'"."""
    steps = [step for item in section.items for _, step in grading.keyed_steps(item.steps)]
    summary: dict[str, int | str] = {
        "items": len(section.items),
        "skills": len({item.skill for item in section.items}),
        "branch items": sum(
            any(option.get("next") for option in item.steps.get("options", [])) for item in section.items
        ),
        "write-first items": sum(item.write_first for item in section.items),
        "steps": len(steps),
        "best-is-longest steps": sum(best_is_longest(step) for step in steps),
        "sessions": sum(sessions.is_session(item.steps) for item in section.items),
    }
    for key, rate in cue_rates(section).items():
        summary[CUE_SUMMARY[key]] = f"{rate.best:.0%} of best vs {rate.others:.0%} of other options"
    return summary
