"""with_spans: evidence columns equal to lexicon.span, each regex searched once per span."""

import polars as pl
from polars.testing import assert_series_equal

from transforms.casefold import with_lowered
from transforms.evidence import Span, with_spans
from transforms.lexicon import span

REGEXES = {
    "apology": r"(?i)\b(?:I am|I'm) (?:so )?sorry\b",
    # A counted repetition of word characters: searched per script (lexicon.by_script).
    "near": r"(?i)\bcall (?:\w+ ){0,2}doctor\b",
}


def _turns() -> pl.LazyFrame:
    texts = [
        "Well. I'm SO sorry, call your doctor.",
        "Désolé — I am sorry; call the family doctor",
        "call a doctor",
        "nothing here",
        None,
    ]
    return pl.LazyFrame({"reply_text": texts}, schema={"reply_text": pl.String})


def test_spans_equal_lexicon_span_with_and_without_the_ascii_column():
    where = pl.int_range(pl.len()) != 2  # the third row is not searched
    for turns in (_turns(), with_lowered(_turns(), "reply_text")[0]):
        spans = {name: Span("reply_text", rx, "reply", where) for name, rx in REGEXES.items()}
        out = with_spans(turns, spans).collect()
        assert out.columns[-2:] == list(REGEXES)
        for name, rx in REGEXES.items():
            expected = turns.select(span("reply_text", rx, source="reply", where=where)).collect()
            assert_series_equal(out[name], expected.to_series(), check_names=False)


def test_span_values_and_nulls():
    spans = {"ev": Span("reply_text", REGEXES["apology"], "reply", pl.lit(True))}
    out = with_spans(_turns(), spans).collect()["ev"].to_list()
    assert out[0] == {"source": "reply", "start": 6, "end": 18, "text": "I'm SO sorry"}
    # "Désolé — " is 13 bytes: offsets are UTF-8 bytes.
    assert out[1] == {"source": "reply", "start": 13, "end": 23, "text": "I am sorry"}
    assert out[2:] == [None, None, None]
