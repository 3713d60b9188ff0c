"""The surface-cue detectors, the per-step check and the course-wide report: pure, no database."""

import pytest

from quizzes.cues import (
    INTENSIFIERS,
    client_name,
    cue_report,
    ends_with_question,
    has_intensifier,
    names_client,
    step_cue_problems,
)


def option(option_id, grade, text):
    return {"id": option_id, "grade": grade, "text": text, "rationale": "Why."}


# ends_with_question


@pytest.mark.parametrize(
    "text",
    [
        "How did it land?",
        "How did it land?  ",
        "How did it land?\n",
        "You said 'fine'. What did 'fine' mean?'",
        'Could you say "what did you mean?"',
        "What would help (if anything)?",
        "Is that it?)",
    ],
)
def test_a_question_at_the_end_is_found(text):
    assert ends_with_question(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "How did it land? I'd like to know.",
        "I wonder how it landed.",
        "Tell me more!",
        "What?!",
        "",
        "?.",
    ],
)
def test_no_question_at_the_end_is_not_found(text):
    assert ends_with_question(text) is False


def test_ends_with_question_takes_none():
    assert ends_with_question(None) is False


# names_client


@pytest.mark.parametrize(
    "text",
    ["Marco, that sounds hard.", "That sounds hard, Marco.", "MARCO, wait.", "marco?", "It's Marco's call."],
)
def test_the_name_is_found_as_a_whole_word_in_any_case(text):
    assert names_client(text, "Marco") is True


@pytest.mark.parametrize("text", ["Marcos said so.", "The Marconi radio.", "That sounds hard.", "DeMarco called."])
def test_the_name_inside_another_word_is_not_found(text):
    assert names_client(text, "Marco") is False


def test_names_match_with_or_without_accents():
    assert names_client("Lucia, take your time.", "Lucía") is True
    assert names_client("Take your time, Lucía.", "Lucia") is True
    assert names_client("Joaquín, I hear you.", "Joaquín") is True


def test_no_name_never_matches():
    assert names_client("Anything at all.", "") is False
    assert names_client("Anything at all.", "   ") is False


def test_a_name_with_regex_characters_is_matched_literally():
    assert names_client("Thanks, Jo.", "J.") is False
    assert names_client("Thanks, Mary-Ann.", "Mary-Ann") is True


# has_intensifier


@pytest.mark.parametrize(
    "text",
    [
        "I really hear that.",
        "REALLY?",
        "That's definitely hard.",
        "Not at all, please go on.",
        "That's not what I meant at all.",
        "It's very common indeed.",
        "You always do this.",
        "I never said that.",
        "Of course you can.",
        "Of  course you can.",
        "It's just my job.",
        "Totally understandable.",
        "You're completely right.",
    ],
)
def test_intensifiers_are_found(text):
    assert has_intensifier(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "That sounds hard.",
        "The verybest.",  # not a whole word
        "A justice system.",
        "Not a word here: reallyish",
    ],
)
def test_words_containing_an_intensifier_are_not_found(text):
    assert has_intensifier(text) is False


def test_a_hyphenated_intensifier_still_counts():
    assert has_intensifier("a never-ending week") is True


def test_ordinary_connectives_are_not_intensifiers():
    assert has_intensifier("So what happened, all of it, quite slowly?") is False


def test_the_word_list_is_lower_case_and_unique():
    assert len(set(INTENSIFIERS)) == len(INTENSIFIERS)
    assert all(word == word.lower().strip() for word in INTENSIFIERS)


# client_name


@pytest.mark.parametrize(
    ("vignette", "name"),
    [("Marco, 23, a call-centre worker.", "Marco"), ("Lucía, 38, an interpreter.", "Lucía"), ("Sam is 27.", "Sam")],
)
def test_the_client_name_is_the_first_word_of_the_vignette(vignette, name):
    assert client_name(vignette) == name


def test_an_empty_vignette_has_no_name():
    assert client_name("") == ""


# step_cue_problems

BALANCED = [
    option("a", 3, "It sounds like that stung. What did you hear me say?"),
    option("b", 2, "I can see it landed badly. Tell me what happened for you."),
    option("c", 1, "Shall we get back to the plan we made last week?"),
    option("d", 0, "I think you misheard me, to be fair."),
]


def test_a_balanced_step_has_no_cue_problems():
    assert step_cue_problems(BALANCED, "Ana") == []


def test_best_as_the_only_question_is_flagged():
    options = [
        option("a", 3, "What did you hear me say?"),
        option("b", 2, "Tell me what happened for you."),
        option("c", 0, "I think you misheard me."),
    ]
    assert step_cue_problems(options, "Ana") == ["the best option (a) is the only one that ends with '?'"]


def test_best_as_the_only_statement_is_flagged():
    options = [
        option("a", 2, "What did you hear me say?"),
        option("b", 3, "Tell me what happened for you."),
        option("c", 0, "Did you mishear me?"),
    ]
    assert step_cue_problems(options, "Ana") == ["the best option (b) is the only one that does not end with '?'"]


def test_best_as_the_only_option_with_the_name_is_flagged():
    options = [
        option("a", 3, "Ana, tell me what happened."),
        option("b", 2, "Tell me what happened for you."),
        option("c", 0, "I think you misheard me."),
    ]
    assert step_cue_problems(options, "Ana") == ["the best option (a) is the only one that uses the client's name"]


def test_best_as_the_only_option_without_the_name_is_flagged():
    options = [
        option("a", 1, "Ana, tell me what happened."),
        option("b", 3, "Tell me what happened for you."),
        option("c", 0, "I think you misheard me, Ana."),
    ]
    assert step_cue_problems(options, "Ana") == [
        "the best option (b) is the only one that does not use the client's name"
    ]


def test_best_as_the_only_option_with_an_intensifier_is_flagged():
    options = [
        option("a", 3, "I really want to hear it."),
        option("b", 2, "Tell me what happened for you."),
        option("c", 0, "I think you misheard me."),
    ]
    assert step_cue_problems(options, "Ana") == [
        "the best option (a) is the only one that holds an absolute or intensifier word"
    ]


def test_best_as_the_only_option_without_an_intensifier_is_flagged():
    options = [
        option("a", 1, "I just want to move on."),
        option("b", 3, "Tell me what happened for you."),
        option("c", 0, "You never listen to me."),
    ]
    assert step_cue_problems(options, "Ana") == [
        "the best option (b) is the only one that holds no absolute or intensifier word"
    ]


def test_several_cues_on_one_step_are_each_named():
    options = [
        option("a", 3, "Ana, what did you really hear?"),
        option("b", 2, "Tell me what happened for you."),
        option("c", 0, "I think you misheard me."),
    ]
    assert len(step_cue_problems(options, "Ana")) == 3


def test_a_cue_shared_by_best_and_one_other_is_not_flagged():
    options = [
        option("a", 3, "What did you hear me say?"),
        option("b", 0, "Why would you think that?"),
        option("c", 2, "Tell me what happened for you."),
    ]
    assert step_cue_problems(options, "Ana") == []


def test_a_cue_on_no_option_or_every_option_is_not_flagged():
    none = [option("a", 3, "Tell me."), option("b", 2, "Go on."), option("c", 0, "Stop.")]
    every = [option("a", 3, "Tell me?"), option("b", 2, "Go on?"), option("c", 0, "Stop?")]
    assert step_cue_problems(none, "Ana") == []
    assert step_cue_problems(every, "Ana") == []


def test_a_step_of_two_options_is_not_checked():
    options = [option("a", 3, "What did you hear me say?"), option("b", 0, "I think you misheard me.")]
    assert step_cue_problems(options, "Ana") == []


def test_a_step_without_exactly_one_best_option_is_left_to_the_keying_rules():
    two_best = [option("a", 3, "Why?"), option("b", 3, "Go on."), option("c", 0, "Stop.")]
    no_best = [option("a", 2, "Why?"), option("b", 1, "Go on."), option("c", 0, "Stop.")]
    assert step_cue_problems(two_best, "Ana") == []
    assert step_cue_problems(no_best, "Ana") == []


def test_without_a_client_name_the_name_cue_never_fires():
    options = [option("a", 3, "Ana, go on."), option("b", 2, "Go on."), option("c", 0, "Stop.")]
    assert step_cue_problems(options, "") == []


# cue_report


def test_the_report_counts_each_grade_and_best_against_the_rest():
    steps = [
        (
            [
                option("a", 3, "What happened?"),
                option("b", 2, "What happened, Ana?"),
                option("c", 1, "Tell me, Ana."),
                option("d", 0, "You really should stop."),
            ],
            "Ana",
        ),
        (
            [
                option("a", 3, "Go on, Ben."),
                option("b", 2, "Go on."),
                option("c", 0, "Why would you do that?"),
            ],
            "Ben",
        ),
    ]
    report = cue_report(steps)
    question = report["question"]
    assert question.total == {3: 2, 2: 2, 1: 1, 0: 2}
    assert question.carrying == {3: 1, 2: 1, 1: 0, 0: 1}
    assert question.best == 0.5
    assert question.share(0) == 0.5
    assert question.others == pytest.approx(2 / 5)
    assert question.gap == pytest.approx(0.5 - 2 / 5)

    name = report["name"]
    assert name.best == 0.5  # "Ben" in step 2, not "Ana" in step 1
    assert name.carrying == {3: 1, 2: 1, 1: 1, 0: 0}
    assert name.others == pytest.approx(2 / 5)

    intensifier = report["intensifier"]
    assert intensifier.best == 0.0
    assert intensifier.share(0) == 0.5
    assert intensifier.gap == pytest.approx(-1 / 5)


def test_a_name_counts_only_in_its_own_item():
    report = cue_report([([option("a", 3, "Ben, go on."), option("b", 0, "Stop.")], "Ana")])
    assert report["name"].best == 0.0


def test_an_empty_report_has_zero_shares():
    report = cue_report([])
    assert set(report) == {"question", "name", "intensifier"}
    assert all(rate.best == rate.others == rate.gap == 0.0 for rate in report.values())


def test_options_with_an_unknown_grade_are_left_out():
    report = cue_report([([option("a", 3, "Why?"), option("b", 7, "Why?"), option("c", None, "Why?")], "Ana")])
    assert report["question"].total == {3: 1, 2: 0, 1: 0, 0: 0}
    assert report["question"].others == 0.0
