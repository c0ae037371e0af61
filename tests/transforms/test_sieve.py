"""The literal sieve: a regex is searched only on the rows holding one of its required literals,
and reads exactly as if searched on every row, whichever literals the caller chooses."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_series_equal

from transforms import intent_forms
from transforms.casefold import Text, fold, with_lowered
from transforms.intent_gate import count_matches, matches, required_literals
from transforms.lexicon import pattern
from transforms.sieve import Sieve, gate_literals

APOLOGY = r"(?i)\b(?:I am|I'm) (?:so )?sorry\b"
THANKS = r"(?i)\bthank(?:s| you)\b"
SHORT = r"(?i)\bno\b"  # its only literal is too short to be worth a bit
#: Requires "about" and "gun": the longest part is a common word, the rarer part is shorter.
ABOUT_GUNS = r"(?i)\babout\s+guns?\b"


def _frame() -> pl.DataFrame:
    texts = [
        "I'm so SORRY, no.",
        "I'm sorryful, thank you",  # holds a literal of the apology, which does not match
        "THANKS a lot",
        "Ich bin ſo froh, İstanbul, no",
        "",
        None,
    ]
    lf, _ = with_lowered(pl.LazyFrame({"t": texts}, schema={"t": pl.String}), "t")
    return lf.collect()


def test_gate_literals_are_folded_and_long_enough():
    assert gate_literals(APOLOGY) == {"i'm sorry", "i'm so sorry", "i am sorry", "i am so sorry"}
    assert gate_literals(SHORT) is None


def test_each_caller_chooses_among_the_required_parts():
    # The default takes the longest part; the intent labeller avoids a common word.
    assert gate_literals(ABOUT_GUNS) == {"about"}
    assert required_literals(ABOUT_GUNS) == {"gun", "guns"}
    assert Sieve([ABOUT_GUNS]).literals == ["about"]
    assert Sieve([ABOUT_GUNS], required_literals).literals == ["gun", "guns"]


def test_sieve_gives_the_search_of_every_row():
    frame = _frame()
    text = Text.of("t")
    sieve = Sieve([APOLOGY, THANKS, SHORT])
    assert set(sieve.masks) == {APOLOGY, THANKS}
    assert sieve.may_match(pl.col("b"), SHORT) is None
    frame = frame.with_columns(sieve.bits(text.folded).alias("b"))
    for regex in (APOLOGY, THANKS, SHORT):
        expected = frame.select(found=text.contains(regex))["found"]
        found = frame.select(found=sieve.contains(pl.col("b"), text, regex))["found"]
        assert_series_equal(found, expected)
    found = frame.select(found=sieve.contains(pl.col("b"), text, APOLOGY))["found"].to_list()
    assert found == [True, False, False, False, False, None]


def test_sieve_bits_say_which_literals_a_row_holds():
    frame = _frame()
    sieve = Sieve([APOLOGY, THANKS])
    masks = frame.select(sieve.bits(Text.of("t").folded).alias("b"))["b"].to_list()
    apology, thanks = sieve.masks[APOLOGY], sieve.masks[THANKS]
    assert masks == [apology, apology | thanks, thanks, 0, 0, None]


def test_a_sieve_without_literals_has_no_bits():
    frame = _frame()
    sieve = Sieve([SHORT, r"\w+"])
    assert sieve.literals == [] and sieve.masks == {}
    bits = frame.select(sieve.bits(Text.of("t").folded).alias("b"))["b"].to_list()
    assert bits == [0, 0, 0, 0, 0, None]


def test_a_sieve_holds_at_most_64_regexes():
    words = [f"(?i)\\bword{i:02d}\\b" for i in range(65)]
    assert len(Sieve(words[:64]).masks) == 64
    with pytest.raises(ValueError, match="at most 64"):
        Sieve(words)


def test_gated_matches_and_counts_equal_the_plain_search() -> None:
    texts = [
        "He wants to KILL him, kill him twice.",
        "Skills and killer apps.",
        "naked and nude pics",
        "Ѕtab the ſtab",  # a Cyrillic look-alike and the long s
        "Talk about GUNS, about a gun",
        "",
        None,
    ]
    regexes = (
        r"(?i)\bkill\s+him\b",
        pattern("intent_explicit_soft"),
        r"(?i)\bstab\b",
        ABOUT_GUNS,
        r"\w+",  # no required literal: every row is searched
    )
    for literals in (gate_literals, required_literals):
        sieve = Sieve(regexes, literals)
        df = pl.DataFrame({"t": texts}).with_columns(sieve.bits(fold(pl.col("t"))).alias("b"))
        for regex in regexes:
            may = sieve.may_match(pl.col("b"), regex)
            for form in (intent_forms.as_written, intent_forms.ascii_form):
                out = df.select(
                    plain=pl.col("t").str.contains(form(regex)),
                    gated=matches(pl.col("t"), regex, form, may),
                    plain_n=pl.col("t").str.count_matches(form(regex)),
                    gated_n=count_matches(pl.col("t"), regex, form, may),
                )
                assert out["plain"].to_list() == out["gated"].to_list(), regex
                assert out["plain_n"].to_list() == out["gated_n"].to_list(), regex
        # The gate of "kill him" is its rarer word ("him" is common): "skills" holds it too.
        kill = df.select(sieve.may_match(pl.col("b"), regexes[0]))["b"].to_list()
        assert kill == [True, True, False, False, False, False, None]
        about = df.select(sieve.may_match(pl.col("b"), ABOUT_GUNS))["b"].to_list()
        assert about == [False, False, False, False, True, False, None]


def test_a_sieve_over_a_detection_copy_finds_literals_spelled_outside_ascii():
    # The detection copy writes curly quotes and accents as stand-ins: the literals are searched as written there.
    curly, accented = r"(?i)\bdon['’]t worry\b", r"(?i)\bcafé au lait\b"
    texts = ["Don’t worry, it’s fine", "Don't worry", "Un CAFÉ au lait", "dont worry", None]
    frame, _ = with_lowered(pl.LazyFrame({"t": texts}, schema={"t": pl.String}), "t")
    text = Text.of("t")
    sieve = Sieve([curly, accented])
    frame = frame.with_columns(sieve.bits(text.folded, copy=True).alias("b")).collect()
    for regex in (curly, accented):
        expected = frame.select(found=text.contains(regex))["found"]
        assert_series_equal(
            frame.select(found=sieve.contains(pl.col("b"), text, regex))["found"], expected
        )
    assert frame.select(found=text.contains(curly))["found"].to_list() == [
        True,
        True,
        False,
        False,
        None,
    ]
    assert frame.select(found=text.contains(accented))["found"].to_list() == [
        False,
        False,
        True,
        False,
        None,
    ]
    # Read as a plain folded text instead, the curly literal is missed in the copy.
    plain = frame.select(sieve.may_match(sieve.bits(text.folded), curly).alias("m"))["m"].to_list()
    assert plain[0] is False
