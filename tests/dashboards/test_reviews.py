"""Reviews storage, agreement statistics, password hashing and evidence highlighting."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from dashboards.auth import hash_password, verify_password
from dashboards.evidence import char_span, highlight
from dashboards.reviews import agreement, load_reviews, record_reviews, reviews_path
from spec_audit.errors import UserError


def sample(tp: int, fp: int, fn: int, tn: int, flagged: int, unflagged: int) -> pl.DataFrame:
    """Return reviews of one clause with these cells and stratum sizes."""
    rows = (
        [("violation", "violation")] * tp + [("violation", "compliant")] * fp
        + [("compliant", "violation")] * fn + [("compliant", "compliant")] * tn
    )  # fmt: skip
    return pl.DataFrame(
        [("c", lab, aud, flagged if lab == "violation" else unflagged) for lab, aud in rows],
        schema=["clause_id", "labeller_verdict", "auditor_verdict", "stratum_size"],
        orient="row",
    )


def test_agreement_is_cohens_kappa_when_every_finding_is_reviewed() -> None:
    out = agreement(sample(8, 2, 1, 9, 10, 10)).row(0, named=True)
    # po = 17/20, pe = (10·9 + 10·11)/400 = 0.5, kappa = (0.85 - 0.5)/0.5
    assert out["kappa"] == pytest.approx(0.7)
    assert (out["recall"], out["specificity"]) == (pytest.approx(8 / 9), pytest.approx(9 / 11))
    assert (out["n_pos"], out["n_neg"], out["reviewed"]) == (9, 11, 20)
    assert out["kappa_low"] < 0.7 < out["kappa_high"]


def test_agreement_weights_strata_back_to_the_population() -> None:
    out = agreement(sample(8, 2, 1, 9, 100, 900)).row(0, named=True)
    # PPV 0.8 of 100 flagged, NPV 0.9 of 900 unflagged: TP 80, FP 20, FN 90, TN 810.
    assert out["precision"] == pytest.approx(0.8)
    assert out["recall"] == pytest.approx(80 / 170)
    assert out["specificity"] == pytest.approx(810 / 830)
    assert out["recall_low"] < out["recall"] < out["recall_high"]


def test_agreement_needs_both_strata_for_recall() -> None:
    out = agreement(sample(3, 1, 0, 0, 50, 0)).row(0, named=True)
    assert (out["precision"], out["recall"], out["specificity"], out["kappa"]) == (
        0.75, None, None, None,
    )  # fmt: skip


def review_rows(**overrides: object) -> pl.DataFrame:
    row = {
        "reviewer": "ada", "turn_id": "c1:0", "conversation_id": "c1",
        "day": dt.date(2026, 10, 1), "model": "m", "surface": None, "spec_id": "model-spec",
        "spec_version": "2025-12-18", "clause_id": "c", "labeller_verdict": "violation",
        "auditor_verdict": "compliant", "stratum_size": 10, "note": None,
    }  # fmt: skip
    return pl.DataFrame([{**row, **overrides}])


def test_reviews_round_trip_keeping_the_newest_per_finding(tmp_path: Path) -> None:
    path = reviews_path(tmp_path / "audit.duckdb")
    assert path.name == "audit.reviews.duckdb"
    assert record_reviews(path, review_rows()) == 1
    assert record_reviews(path, review_rows(auditor_verdict="violation", reviewer="bo")) == 1
    stored = load_reviews(path, "model-spec", "2025-12-18")
    assert stored.select("reviewer", "auditor_verdict").rows() == [("bo", "violation")]
    assert stored["reviewed_at"].dtype == pl.Datetime("us", "UTC")
    assert load_reviews(path, "model-spec", "2025-02-12").height == 0


def test_bad_reviews_are_user_errors(tmp_path: Path) -> None:
    path = tmp_path / "r.duckdb"
    with pytest.raises(
        UserError, match=r"^review of c1:0: verdict must be violation or compliant$"
    ):
        record_reviews(path, review_rows(auditor_verdict="maybe"))
    with pytest.raises(UserError, match=r"^review: reviewer name is empty$"):
        record_reviews(path, review_rows(reviewer="  "))


def test_password_hashes_verify_and_differ_by_salt() -> None:
    first, second = hash_password("s3cret"), hash_password("s3cret")
    assert first != second and first.startswith("scrypt$16384$8$1$")
    assert verify_password("s3cret", first) and not verify_password("S3cret", first)
    assert not verify_password("s3cret", "plain-text") and not verify_password("x", "md5$a$b$c$d$e")


def test_highlight_escapes_everything_and_marks_utf8_spans() -> None:
    text = "café <img src=x onerror=alert(1)> naïve"
    start = len("café <img src=x onerror=alert(1)> ".encode())
    assert char_span(text, start, start + len("naïve".encode())) == (34, 39)
    assert highlight(text, [(0, 5, 'x"><script>')]) == (
        '<mark title="x&quot;&gt;&lt;script&gt;">café</mark> '
        "&lt;img src=x onerror=alert(1)&gt; naïve"
    )
    assert highlight(None, []) == "<em>(no reply)</em>"
