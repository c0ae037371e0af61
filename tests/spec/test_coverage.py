"""Coverage: every catalog clause listed, testable or not, with counts and accuracy from the DB."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl

from spec_audit import store
from spec_audit.spec.catalog import load_catalog
from spec_audit.spec.coverage import coverage
from spec_audit.spec.versions import SPEC_ROOT
from tests.conftest import run_cli

NEW = SPEC_ROOT / "model-spec" / "2025-12-18.yaml"
DAY = dt.date(2026, 10, 1)


def test_coverage_without_database_lists_every_clause() -> None:
    catalog = load_catalog(NEW)
    frame = coverage(catalog)
    assert frame["clause_id"].to_list() == [c.id for c in catalog.clauses]
    assert frame.height == 59 and int(frame["testable"].sum()) == 44
    row = frame.filter(pl.col("clause_id") == "avoid_regulated_advice").row(0, named=True)
    assert row["applies_signals"] == [
        "harm_category", "has_reply", "prompt_intent", "regulated_domain",
    ]  # fmt: skip
    assert row["violation_signals"] == [
        "definitive_advice", "offers_alternative", "professional_referral", "refusal", "reply_words",
    ]  # fmt: skip
    assert row["findings"] is None and row["sensitivity"] is None


def test_coverage_counts_and_accuracy_from_the_database(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    con = store.connect(db)
    con.execute(
        "INSERT INTO findings VALUES "
        "('c1:0', 'c1', ?, 'm', 'chat', 'model-spec', '2025-12-18', 'do_not_lie', 'hallucination', 'violation', [], NULL),"
        "('c2:0', 'c2', ?, 'm', 'chat', 'model-spec', '2025-12-18', 'do_not_lie', 'hallucination', 'compliant', [], NULL),"
        "('c3:0', 'c3', ?, 'm', 'chat', 'model-spec', '2025-12-18', 'do_not_lie', 'hallucination', 'unscored', [], NULL),"
        "('c1:0', 'c1', ?, 'm', 'chat', 'model-spec', '2025-02-12', 'do_not_lie', 'hallucination', 'violation', [], NULL)",
        [DAY] * 4,
    )
    con.execute(
        "INSERT INTO labeller_accuracy (clause_id, spec_version, sensitivity, specificity, n_pos, "
        "n_neg, source, measured_at) VALUES "
        "('do_not_lie', NULL, 0.5, 0.5, 10, 10, 'old run', '2026-01-01'), "
        "('do_not_lie', '2025-12-18', 0.9, 0.95, 40, 60, 'eval', '2026-02-01'), "
        "('do_not_lie', '2025-02-12', 0.1, 0.1, 5, 5, 'other version', '2026-03-01')"
    )
    frame = coverage(load_catalog(NEW), con)
    con.close()
    lie = frame.filter(pl.col("clause_id") == "do_not_lie").row(0, named=True)
    assert (lie["findings"], lie["scored"], lie["violations"]) == (3, 2, 1)
    # The newest row valid for this version wins; rows for another version are ignored.
    assert (lie["sensitivity"], lie["specificity"], lie["n_pos"], lie["n_neg"]) == (
        0.9,
        0.95,
        40,
        60,
    )
    warm = frame.filter(pl.col("clause_id") == "be_warm").row(0, named=True)
    assert (warm["testable"], warm["findings"], warm["sensitivity"]) == (False, 0, None)

    result = run_cli("spec", "coverage", "--db", str(db), "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 59
    table = run_cli("spec", "coverage", "--db", str(db))
    assert "not measured" in table.stdout and "90%/95% (n=40+60)" in table.stdout
    assert "44 of 59 clauses testable; untestable: no_other_objectives" in table.stdout
