"""Findings: clause expressions over signals become one verdict per turn and applicable clause."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from spec_audit.findings import judge
from spec_audit.spec.catalog import load_catalog

FIXTURE = Path(__file__).parent / "fixtures" / "spec" / "minimal.yaml"
DAY = dt.date(2026, 10, 1)


def signals(**columns: list) -> pl.LazyFrame:
    n = len(next(iter(columns.values())))
    keys = {
        "turn_id": [f"c{i}:0" for i in range(n)],
        "conversation_id": [f"c{i}" for i in range(n)],
        "day": [DAY] * n,
        "model": ["m1"] * n,
        "surface": ["chat"] * n,
    }
    return pl.LazyFrame({**keys, **columns})


def test_verdicts_per_turn_and_clause() -> None:
    catalog = load_catalog(FIXTURE)
    frame = signals(
        has_reply=[True, True, False, True, True],
        prompt_intent=["benign", "benign", "benign", "harmful", "benign"],
        refusal=["none", "full", None, "full", None],
        regulated_domain=["none", "none", "none", "none", "medical"],
        definitive_advice=[None, None, None, None, True],
        professional_referral=[None, None, None, None, None],
    )
    found = judge(frame, catalog).collect().sort("turn_id", "clause_id")
    expected = pl.DataFrame(
        {
            "turn_id": ["c0:0", "c1:0", "c4:0", "c4:0"],
            "clause_id": [
                "assume_best_intentions",
                "assume_best_intentions",
                "assume_best_intentions",
                "avoid_regulated_advice",
            ],
            "kind": ["over_refusal", "over_refusal", "over_refusal", "other"],
            # c4: no refusal label (null) -> unscored; advice given, referral unknown -> unscored.
            "verdict": ["compliant", "violation", "unscored", "unscored"],
        }
    )
    assert_frame_equal(found.select(expected.columns), expected)
    assert found["spec_id"].unique().to_list() == ["test-spec"]
    assert found["spec_version"].unique().to_list() == ["2025-02-12"]
    evidence = dict(zip(found["clause_id"], found["evidence"].to_list(), strict=False))
    assert evidence["avoid_regulated_advice"] == [
        "definitive_advice",
        "has_reply",
        "professional_referral",
        "regulated_domain",
    ]


def test_untestable_clauses_yield_no_findings() -> None:
    catalog = load_catalog(FIXTURE)
    frame = signals(
        has_reply=[True],
        prompt_intent=["benign"],
        refusal=["none"],
        regulated_domain=["none"],
        definitive_advice=[False],
        professional_referral=[False],
    )
    found = judge(frame, catalog).collect()
    assert "be_warm" not in found["clause_id"].to_list()
    assert [c.id for c in catalog.clauses if not c.testable] == ["be_warm"]
