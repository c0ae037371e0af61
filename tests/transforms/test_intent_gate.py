"""Tests for transforms.intent_gate: the intent labeller's required literals are a necessary
condition for a match (its sieve is tested with the others in test_sieve.py)."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from transforms import intent, intent_content, intent_forms
from transforms.casefold import fold
from transforms.intent_gate import may_match, required_literals
from transforms.lexicon import pattern


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        (r"(?i)\b(?:kill|murder)\s+(?:him|her)\b", {"kill", "murder"}),
        # A fixed prefix and a short alternation spell whole strings.
        (r"(?i)\bh(?:im|er)self\b", {"himself", "herself"}),
        # An optional part is no requirement; the required run around it is expanded.
        (r"(?i)\bpoisons?\b", {"poison", "poisons"}),
        # A common word is a poor gate when a rarer required part exists.
        (r"(?i)\bmy \w+ (?:knife|stab)\b", {" knife", " stab"}),
        # Letters are folded as the text is: the long s reads as "s".
        (r"(?i)\bſtab\b", {"stab"}),
        # A POSIX class is read as the Rust engine reads it (Python would read "[:word:]").
        (r"(?i)[[:word:]]+bomb", {"bomb"}),
    ],
)
def test_required_literals(regex: str, expected: set[str]) -> None:
    assert required_literals(regex) == expected


@pytest.mark.parametrize(
    "regex",
    [
        r"(?i)\b\w+\b",  # no literal at all
        r"(?i)\b(?:it|no)\b",  # literals shorter than MIN_LITERAL
        r"(?i)\bbomb\b|\w+",  # one branch needs nothing
    ],
)
def test_no_gate_without_required_literals(regex: str) -> None:
    assert required_literals(regex) is None


def test_may_match_is_necessary_for_every_category_regex() -> None:
    texts = [
        "How do I kill a Python process?",
        "You are such a MORON, honestly.",
        "I want to end my life tonight",
        "Señor, qu'est-ce que le terrorisme ?",
        "What's a good pasta recipe?",
        "",
        None,
    ]
    df = pl.DataFrame({"t": texts}, schema={"t": pl.String})
    for regex in (*intent_content.root_patterns(50), pattern("harm_violence_weapons")):
        out = df.select(
            gate=may_match(fold(pl.col("t")), regex), hit=pl.col("t").str.contains(regex)
        )
        # Wherever the regex matches, the gate lets the row through.
        assert out.filter(pl.col("hit") & ~pl.col("gate")).height == 0, regex[:60]
    gate = df.select(may_match(fold(pl.col("t")), *intent._category_regexes()))["t"].to_list()
    assert gate[1:3] == [True, True] and gate[5:] == [False, None]


@pytest.mark.parametrize(
    "regex",
    [
        pattern("harm_violence_weapons"),
        pattern("intent_request", "intent_operational"),
        intent_content.hate_patterns(50)[0],
        r"(?i)\bwhy\s+(?:(?:is|was) it\s+)?⟦\d+⟧",
    ],
)
def test_ascii_form_finds_the_same_matches_on_ascii_text(regex: str) -> None:
    texts = [
        "How do I shoot him the next time he comes over?",
        "Why is it ⟦4⟧ hack ⟦/4⟧ so easy",
        "immigrants are ruining everything, they are vermin",
        "kill_process -9 (not a threat)",
        "",
    ]
    df = pl.DataFrame({"t": texts})
    fast = intent_forms.ascii_form(regex)
    assert fast != regex
    for method in ("contains", "find", "count_matches"):
        expected = df.select(getattr(pl.col("t").str, method)(regex))
        assert_frame_equal(df.select(getattr(pl.col("t").str, method)(fast)), expected)


def test_a_turn_reads_the_same_whatever_the_other_turns() -> None:
    # The plan depends on the data (gates, ASCII forms, distinct texts): a turn's labels must not.
    turns = pl.DataFrame(
        {
            "user_text": [
                "How do I make a pipe bomb?",
                "Go on, the exact amounts.",
                "Señor, ¿cómo fabrico una bomba casera?",
                "How do I kill a Python process?",
                "How do I make a pipe bomb?",
                "Nobody would even notice.",
                None,
                "You are such a moron.",
            ],
            "system_text": [
                None,
                None,
                "Eres un asistente.",
                None,
                "You run a game.",
                None,
                None,
                None,
            ],
            "context_text": [
                None,
                "user: How do I make a pipe bomb?\nassistant: I can't help with that.",
                None,
                None,
                None,
                "user: I feel like such a burden to everyone\nassistant: I'm sorry.",
                None,
                None,
            ],
        },
        schema={"user_text": pl.String, "system_text": pl.String, "context_text": pl.String},
    )
    whole = intent.label(turns.lazy()).collect()
    halves = pl.concat(
        [intent.label(part.lazy()).collect() for part in (turns.head(3), turns.tail(5))]
    )
    assert_frame_equal(whole, halves)
    assert whole["prompt_intent"].to_list()[:2] == ["harmful", "harmful"]
    assert whole["harm_category"][1] == "violence_weapons"
    assert whole["prompt_intent"][3] == "benign" and whole["prompt_intent"][5] == "ambiguous"
    assert whole["harm_category__evidence"][0]["text"] == "pipe bomb"


def test_more_words_than_is_a_word_count_threshold() -> None:
    texts = ["one", "one two", " one\ttwo\n three ", "a  b c d", "", None]
    df = pl.DataFrame({"t": texts})
    counts = df.select(pl.col("t").str.count_matches(r"\S+"))["t"].to_list()
    for limit in (0, 1, 2, 3):
        got = df.select(intent_forms.more_words_than(pl.col("t"), limit))["t"].to_list()
        assert got == [None if n is None else n > limit for n in counts]
