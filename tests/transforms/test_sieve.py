"""The literal sieve: a regex is searched only on the rows holding one of its required literals,
and reads exactly as if searched on every row."""

import polars as pl
from polars.testing import assert_series_equal

from transforms.casefold import Text, with_lowered
from transforms.sieve import Sieve, gate_literals

APOLOGY = r"(?i)\b(?:I am|I'm) (?:so )?sorry\b"
THANKS = r"(?i)\bthank(?:s| you)\b"
SHORT = r"(?i)\bno\b"  # its only literal is too short to be worth a bit


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


def test_sieve_gives_the_search_of_every_row():
    frame = _frame()
    text = Text.of("t")
    sieve = Sieve("__sieve", text.folded, [APOLOGY, THANKS, SHORT])
    assert set(sieve.bits) == {APOLOGY, THANKS}
    frame = frame.with_columns(sieve.column())
    for regex in (APOLOGY, THANKS, SHORT):
        expected = frame.select(found=text.contains(regex))["found"]
        assert_series_equal(frame.select(found=sieve.contains(text, regex))["found"], expected)
    found = frame.select(found=sieve.contains(text, APOLOGY))["found"].to_list()
    assert found == [True, False, False, False, False, None]


def test_sieve_bits_say_which_literals_a_row_holds():
    frame = _frame()
    sieve = Sieve("__sieve", Text.of("t").folded, [APOLOGY, THANKS])
    masks = frame.select(sieve.column())["__sieve"].to_list()
    apology, thanks = sieve.bits[APOLOGY], sieve.bits[THANKS]
    assert masks == [apology, apology | thanks, thanks, 0, 0, None]
