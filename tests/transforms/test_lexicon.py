"""Tests of transforms.lexicon.span and of the row restrictions the labellers use for speed.

A restricted search (``where=``, or a when/then that skips rows) must give exactly what the full
search gives on every row whose value is used; these tests compare both on small frames.
"""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from transforms import intent, intent_context
from transforms.lexicon import pattern, span
from transforms.registry import EVIDENCE_DTYPE

REPLIES = ["Sí, I cannot help", "sure", None, "I cannot help, I cannot"]


def test_span_where_limits_the_search_to_rows_where_true() -> None:
    df = pl.DataFrame({"reply_text": REPLIES, "keep": [True, True, True, False]})
    out = df.select(
        full=span("reply_text", r"(?i)cannot", source="reply"),
        limited=span("reply_text", r"(?i)cannot", source="reply", where=pl.col("keep")),
    )
    expected = pl.Series(
        "limited",
        [{"source": "reply", "start": 7, "end": 13, "text": "cannot"}, None, None, None],
        dtype=EVIDENCE_DTYPE,
    )
    assert_frame_equal(out.select("limited"), expected.to_frame())
    assert out["full"][3] == {"source": "reply", "start": 2, "end": 8, "text": "cannot"}


def test_span_accepts_an_expression() -> None:
    df = pl.DataFrame({"reply_text": REPLIES})
    out = df.select(ev=span(pl.col("reply_text").str.slice(4), r"cannot", source="reply"))
    # The slice drops four characters ("Sí, " is five bytes); offsets are into the sliced text.
    assert out["ev"].to_list() == [
        {"source": "reply", "start": 2, "end": 8, "text": "cannot"},
        None,
        None,
        {"source": "reply", "start": 13, "end": 19, "text": "cannot"},
    ]


def test_mask_only_rewrites_rows_with_a_verb_or_homonym() -> None:
    texts = ["How do I kill a Python process?", "How do I kill my boss?", "Bake bread", "", "Ñandú"]
    df = pl.DataFrame({"t": texts})
    out = df.select(intent._mask(pl.col("t")))["t"].to_list()
    assert out[1:] == ["How do I kill my boss?", "Bake bread", "", "Ñandú"]
    assert "kill" not in out[0] and "Python process" in out[0]


def test_has_harm_term_matches_any_category_lexicon() -> None:
    df = pl.DataFrame({"t": ["make a pipe bomb", "launder money", "bake bread", None]})
    expected = [
        any(
            df.select(pl.col("t").str.contains(pattern(f"harm_{c}")))["t"][i]
            for c in intent.CATEGORIES
        )
        for i in range(3)
    ]
    assert df.select(intent.has_harm_term(pl.col("t")))["t"].to_list()[:3] == expected
    assert expected == [True, True, False]


def test_is_continuation_is_false_for_long_turns_without_searching_them() -> None:
    long_turn = "go on " * 20
    df = pl.DataFrame({"t": ["Go on", long_turn, None, "the exact amounts please"]})
    assert df.select(intent_context.is_continuation(pl.col("t"), 16, 8))["t"].to_list() == [
        True,
        False,
        False,
        True,
    ]
