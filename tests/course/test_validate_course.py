"""validate_course's lesson rules and its command: each rule caught on a package broken in one place."""

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from course.validation import Citation, citations, cites, word_count
from tests.conftest import VALID_LESSON_PARAGRAPH, valid_lesson

LESSON = "modules/01-basics/lessons/01-first.md"
REPO = Path(__file__).resolve().parents[2]


def validate(path=None) -> tuple[list[str], str | None]:
    out = StringIO()
    try:
        call_command("validate_course", *([str(path)] if path else []), stdout=out)
    except CommandError as exc:
        return out.getvalue().splitlines(), str(exc)
    return out.getvalue().splitlines(), None


def problem_lines(lines: list[str]) -> list[str]:
    return [line for line in lines if not line.startswith("Summary:") and line != "OK"]


def body_of(words: int) -> str:
    """A lesson body of exactly this many words, with a citation and an evidence label."""
    return "Alliance (Bordin, 1979) {evidence=opinion}. " + "word " * (words - 3)


def test_valid_package_passes_with_ok(make_valid_package):
    lines, error = validate(make_valid_package())
    assert error is None and lines[-1] == "OK"
    assert lines[-2].startswith("Summary: 1 modules, 1 lessons, 364 words, 3 items")


def test_no_path_validates_the_default_course(make_valid_package, settings):
    settings.ATTUNE_DEFAULT_COURSE_PATH = make_valid_package()
    lines, error = validate()
    assert error is None and lines[-1] == "OK"


@pytest.mark.parametrize(("words", "passes"), [(299, False), (300, True), (900, True), (901, False)])
def test_lesson_word_count_must_be_300_to_900(make_valid_package, words, passes):
    lines, error = validate(make_valid_package({LESSON: valid_lesson(body_of(words))}))
    if passes:
        assert error is None
    else:
        assert problem_lines(lines) == [
            f"{LESSON}: body: lesson basics-first: has {words} words; a lesson needs 300-900"
        ]


def test_word_count_leaves_out_evidence_labels_and_markdown_marks():
    assert word_count("## Goals\n\n- **Agree** on r = .28 {evidence=meta-analysis}\n\n---") == 5


@pytest.mark.parametrize(
    ("front_matter", "message"),
    [
        ({"objectives": None}, "objectives: lesson basics-first: has no learning objectives"),
        ({"key_terms": None}, "key_terms: lesson basics-first: has no key terms"),
        (
            {"references": ["bordin1979", "smith2020"]},
            "references: lesson basics-first: reference 'smith2020' is not in the references of "
            "modules/01-basics/module.yaml",
        ),
    ],
)
def test_lesson_front_matter_rules(make_valid_package, front_matter, message):
    lines, error = validate(make_valid_package({LESSON: valid_lesson(**front_matter)}))
    assert error
    assert problem_lines(lines) == [f"{LESSON}: {message}"]


def test_lesson_without_an_evidence_label_is_caught(make_valid_package):
    body = VALID_LESSON_PARAGRAPH.replace(" {evidence=consensus}", "") * 7
    lines, error = validate(make_valid_package({LESSON: valid_lesson(body)}))
    assert error
    assert problem_lines(lines) == [
        f"{LESSON}: body: lesson basics-first: has no evidence label; mark each claim with {{evidence=...}}"
    ]


def test_unknown_evidence_label_is_caught_with_its_line(make_valid_package):
    body = VALID_LESSON_PARAGRAPH * 6 + "Clients say so {evidence=anecdote}.\n"
    path = make_valid_package({LESSON: valid_lesson(body)})
    lines, error = validate(path)
    assert error
    [line] = problem_lines(lines)
    text = (path / LESSON).read_text().splitlines()
    number = next(n for n, content in enumerate(text, start=1) if "anecdote" in content)
    assert line.startswith(
        f"{LESSON}:{number}: body: lesson basics-first: unknown evidence label '{{evidence=anecdote}}'"
    )


@pytest.mark.parametrize(
    ("label", "replacements"),
    [("meta-analytic", "meta-analysis"), ("trial", "rct or single-study or review")],
)
def test_first_edition_evidence_labels_are_refused_naming_the_new_ones(make_valid_package, label, replacements):
    body = VALID_LESSON_PARAGRAPH * 6 + f"Clients say so {{evidence={label}}}.\n"
    lines, error = validate(make_valid_package({LESSON: valid_lesson(body)}))
    assert error
    [line] = problem_lines(lines)
    assert f"retired evidence label '{{evidence={label}}}': use {replacements}," in line
    assert "(known: meta-analysis, rct, single-study, review, consensus, opinion)" in line


@pytest.mark.parametrize(
    "citation",
    [
        "(Smith, 2018)",
        "(Smith & Jones, 2018)",
        "(Smith et al., 2018)",
        "Smith (2018)",
        "Smith et al. (2018)",
        "(Bordin, 1979; Smith, 2019)",
        "(Bordin, 1980)",
        "Hill, Knox and Pinto-Coelho (2018)",
    ],
)
def test_citation_without_a_reference_in_the_module_is_caught(make_valid_package, citation):
    body = VALID_LESSON_PARAGRAPH * 7 + f"Another view is worth noting {citation}.\n"
    lines, error = validate(make_valid_package({LESSON: valid_lesson(body)}))
    assert error
    [line] = problem_lines(lines)
    assert line.startswith(f"{LESSON}:")
    assert "lesson basics-first: cites" in line
    assert "which matches no reference of modules/01-basics/module.yaml" in line


def test_citation_in_a_key_term_definition_is_checked(make_valid_package):
    key_terms = [{"term": "Rupture", "definition": "A strain in the alliance (Eubanks et al., 2018)."}]
    lines, error = validate(make_valid_package({LESSON: valid_lesson(key_terms=key_terms)}))
    assert error
    assert problem_lines(lines) == [
        f"{LESSON}: key_terms[0].definition: lesson basics-first: cites '(Eubanks et al., 2018)', "
        "which matches no reference of modules/01-basics/module.yaml"
    ]


REFERENCES = [
    "Bordin, E. S. (1979). The working alliance. Psychotherapy, 16(3), 252-260.",
    "Safran, J. D., & Muran, J. C. (2000). Negotiating the therapeutic alliance. Guilford Press.",
    "Flückiger, C., Del Re, A. C., Wampold, B. E., & Horvath, A. O. (2018). The alliance. Psychotherapy.",
    "De Jongh, A., Resick, P. A., & Zoellner, L. A. (2016). Critical analysis. Depression and Anxiety.",
    "Substance Abuse and Mental Health Services Administration. (2014). Trauma-informed care.",
    "Hill, C. E., Knox, S., & Pinto-Coelho, K. G. (2018). Therapist self-disclosure. Psychotherapy.",
]


@pytest.mark.parametrize(
    "text",
    [
        "(e.g., Bordin, 1979)",
        "Safran and Muran's (2000)",
        "(Bordin, 1979, p. 253)",
        "(Safran & Muran, 2000; Bordin, 1979)",
        "As Bordin (1979) put it",
        "Flückiger et al. (2018)",
        "(Flückiger, Del Re, Wampold, & Horvath, 2018)",
        "De Jongh et al. (2016)",
        "(SAMHSA, 2014)",
        "Hill, Knox and Pinto-Coelho (2018)",
    ],
)
def test_citation_forms_that_match_their_reference(text):
    found = citations(text)
    assert found, text
    assert all(any(cites(citation, apa) for apa in REFERENCES) for citation in found)


def test_each_author_year_of_a_citation_is_found():
    found = citations("As shown (Bordin, 1979; Safran & Muran, 2000), and Tryon et al. (2018) agree.")
    assert [(c.surname, c.year) for c in found] == [("Bordin", "1979"), ("Safran", "2000"), ("Tryon", "2018")]


@pytest.mark.parametrize(
    "text",
    [
        "In 2018 a meta-analysis appeared.",
        "The correlation was moderate (r = .28, p < .001).",
        "Across 54 studies (N = 7,278, 2018 update).",
        "the study (2018) found",
        "(see the figures for 2018)",
        "in module 2 (2019 edition)",
    ],
)
def test_text_that_only_looks_like_a_citation_is_ignored(text):
    assert citations(text) == []


def test_a_surname_must_be_an_author_and_the_year_the_references():
    apa = "Safran, J. D., & Muran, J. C. (2000). Negotiating the therapeutic alliance. Guilford Press."
    assert cites(Citation("Muran", "2000", "", 0), apa)
    assert not cites(Citation("Guilford", "2000", "", 0), apa)
    assert not cites(Citation("Safran", "2001", "", 0), apa)


def test_structural_problems_are_printed_with_file_and_id_and_exit_non_zero(make_valid_package):
    path = make_valid_package({LESSON: valid_lesson(order="first")})
    result = subprocess.run(
        [sys.executable, "manage.py", "validate_course", str(path)], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert f"{LESSON}:4: order: must be a whole number, not text 'first' [id basics-first]" in result.stdout
    assert "1 problem(s)" in result.stderr and "cannot be read" in result.stderr


def test_fact_problem_names_the_fact(make_valid_package):
    facts = [
        {
            "id": "fact-one",
            "module": "basics",
            "question": "Q?",
            "options": [{"id": "a", "text": "A"}],
            "explanation": "E.",
        }
    ]
    lines, error = validate(make_valid_package({"facts.yaml": facts}))
    assert error
    assert problem_lines(lines) == ["facts.yaml:4: [0].options: needs exactly one correct option, has 0 [id fact-one]"]
