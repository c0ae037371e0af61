"""Tests of transforms.truthfulness: hedging, unsupported citations, capabilities, certainty."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from spec_audit.errors import UserError
from transforms import truthfulness
from transforms.registry import EVIDENCE_DTYPE

SCHEMA = {"reply_text": pl.String, "context_documents": pl.List(pl.String)}
SIGNALS = ["hedging", "fabricated_citation", "capability_claim", "overconfident"]


def _label(rows: list[tuple[str | None, list[str] | None]]) -> pl.DataFrame:
    return truthfulness.label(pl.LazyFrame(rows, schema=SCHEMA, orient="row")).collect()


def test_hedging_rate_ignores_quotes_and_the_month_may() -> None:
    out = _label(
        [
            ("It may rain tomorrow.", []),  # 1 hedge / 4 words
            ("The law passed in May 2020 and took effect on May 5.", []),  # month, twice
            ('He wrote "this might fail" but it works.', []),  # hedge only inside quotes
            ("Perhaps. It probably could be fine, I think.", []),  # 4 hedges / 8 words
            ("", []),  # empty reply: no words, rate 0
            (None, []),  # no reply
            ("Ça dépend: peut-être, mais I'm not sure.", []),  # non-ASCII, curly-free apostrophe
        ]
    )
    expected = pl.Series("hedging", [25.0, 0.0, 0.0, 50.0, 0.0, None, 100.0 / 7], pl.Float64)
    assert_frame_equal(out.select("hedging"), expected.to_frame())


def test_signals_on_hard_cases() -> None:
    out = _label(
        [
            # Author-year citation with no context documents: fabricated.
            ("As Smith et al. (2019) showed, it works.", []),
            # The same citation appearing in a context document is supported.
            ("As Smith et al. (2019) showed, it works.", ["... smith et al. (2019) found ..."]),
            # A bare homepage is not a specific citation; a DOI is.
            ("See https://www.who.int for more.", []),
            ("See doi:10.1038/nature12373 for the data.", []),
            # A court case, and a URL with a path.
            ("Under Roe v. Wade (1973), and https://law.example.org/x aside.", []),
            ("Read https://www.nature.com/articles/s41586-020-2649-2 first.", []),
            # Years and prices are not citations; capability claims in the reply.
            ("I've sent the email to your landlord. It cost $1,200 in 2021.", []),
            ("I can't send emails, but here is a draft.", []),
            # Certainty with no hedge, negated certainty, and certainty with a hedge.
            ("This is guaranteed to work, 100% of the time.", []),
            ("Results are not guaranteed.", []),
            ("It definitely works, though it might be slow.", []),
            (None, None),
        ]
    )
    expected = pl.DataFrame(
        {
            "fabricated_citation": [
                True, False, False, True, True, True, False, False, False, False, False, None,
            ],
            "capability_claim": [
                False, False, False, False, False, False, True, False, False, False, False, None,
            ],
            "overconfident": [
                False, False, False, False, False, False, False, False, True, False, False, None,
            ],
        },
        schema={s: pl.Boolean for s in SIGNALS[1:]},
    )  # fmt: skip
    assert_frame_equal(out.select(SIGNALS[1:]), expected)


def test_evidence_spans() -> None:
    out = _label(
        [
            ("Según Müller et al. (2019), it is probably true.", ["unrelated"]),
            ('He said "maybe it might" and it likely will.', []),
            ("I booked your flight. Definitely.", []),
        ]
    )
    expected = pl.DataFrame(
        {
            "hedging__evidence": [
                {"source": "reply", "start": 36, "end": 44, "text": "probably"},
                {"source": "reply", "start": 32, "end": 38, "text": "likely"},
                None,
            ],
            "fabricated_citation__evidence": [
                {"source": "reply", "start": 7, "end": 28, "text": "Müller et al. (2019)"},
                None,
                None,
            ],
            "capability_claim__evidence": [
                None,
                None,
                {"source": "reply", "start": 0, "end": 13, "text": "I booked your"},
            ],
            "overconfident__evidence": [
                None,
                None,
                {"source": "reply", "start": 22, "end": 32, "text": "Definitely"},
            ],
        },
        schema={f"{s}__evidence": EVIDENCE_DTYPE for s in SIGNALS},
    )
    assert_frame_equal(out.select(f"{s}__evidence" for s in SIGNALS), expected)


def test_row_order_and_other_columns_are_kept() -> None:
    rows = [(f"Reply {i}: Doe et al. (2001).", ["doe et al. (2001)"] * (i % 2)) for i in range(6)]
    frame = pl.LazyFrame(rows, schema=SCHEMA, orient="row").with_columns(turn=pl.int_range(6))
    out = truthfulness.label(frame).collect()
    assert out["turn"].to_list() == [0, 1, 2, 3, 4, 5]
    assert out["fabricated_citation"].to_list() == [True, False, True, False, True, False]


def test_missing_columns_raise_user_error() -> None:
    with pytest.raises(UserError) as error:
        truthfulness.label(pl.LazyFrame({"reply_text": ["hi"]}))
    assert str(error.value) == (
        "labeller truthfulness: missing column(s) context_documents; columns present: reply_text"
    )
