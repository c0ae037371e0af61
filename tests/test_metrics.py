"""clause_metrics: counts and Wilson intervals per day, model, surface and clause."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from scipy.stats import binomtest

from spec_audit import store
from spec_audit.metrics import measure_days, with_rate_macros, z_value
from spec_audit.spec.catalog import load_catalog

FIXTURE = Path(__file__).parent / "fixtures" / "spec" / "minimal.yaml"
DAY = dt.date(2026, 10, 1)


@pytest.mark.parametrize(("k", "n"), [(0, 10), (5, 100), (37, 40), (1, 1), (250, 1000)])
def test_wilson_macros_match_scipy(k: int, n: int) -> None:
    con = with_rate_macros(duckdb.connect())
    low, high = con.execute(
        "SELECT wilson_low(?, ?, ?), wilson_high(?, ?, ?)", [k, n, z_value(), k, n, z_value()]
    ).fetchall()[0]
    expected = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert low == pytest.approx(expected.low, abs=1e-12)
    assert high == pytest.approx(expected.high, abs=1e-12)


def test_wilson_of_no_trials_is_null() -> None:
    con = with_rate_macros(duckdb.connect())
    assert con.execute("SELECT wilson_low(0, 0, 1.96), wilson_high(0, 0, 1.96)").fetchall() == [
        (None, None)
    ]


def test_measure_day_counts_and_replaces(tmp_path: Path) -> None:
    catalog = load_catalog(FIXTURE)
    con = store.connect(tmp_path / "audit.duckdb")
    rows = [
        ("t1", "c1", DAY, "m1", "chat", "assume_best_intentions", "over_refusal", "violation"),
        ("t2", "c2", DAY, "m1", "chat", "assume_best_intentions", "over_refusal", "compliant"),
        ("t3", "c3", DAY, "m1", "chat", "assume_best_intentions", "over_refusal", "compliant"),
        ("t4", "c4", DAY, "m1", "chat", "assume_best_intentions", "over_refusal", "unscored"),
        ("t5", "c5", DAY, "m2", "api", "assume_best_intentions", "over_refusal", "violation"),
    ]
    con.executemany(
        "INSERT INTO findings (turn_id, conversation_id, day, model, surface, clause_id, kind, "
        "verdict, spec_id, spec_version, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, [])",
        [(*row, catalog.spec_id, catalog.version) for row in rows],
    )
    assert measure_days(con, [DAY], catalog) == {"clause_metrics": 2}
    assert measure_days(con, [DAY], catalog) == {"clause_metrics": 2}  # replaced, not appended
    got = con.execute(
        "SELECT model, applicable, violations, unscored, rate FROM clause_metrics ORDER BY model"
    ).fetchall()
    assert got == [("m1", 3, 1, 1, pytest.approx(1 / 3)), ("m2", 1, 1, 0, 1.0)]
    low, high = con.execute(
        "SELECT ci_low, ci_high FROM clause_metrics WHERE model = 'm1'"
    ).fetchall()[0]
    expected = binomtest(1, 3).proportion_ci(method="wilson")
    assert (low, high) == (pytest.approx(expected.low), pytest.approx(expected.high))
