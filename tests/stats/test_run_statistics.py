"""run_statistics over a hand-built database: the three tables, verdicts, reruns and bad windows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from spec_audit.errors import UserError
from spec_audit.spec.catalog import Catalog
from spec_audit.stats import audit_window, latest_window, run_statistics, top_regressions
from spec_audit.store import connect

# The fixture database's window (tests/stats/conftest.py): the rise starts on the first current day.
START, END, SHIFT_DAY = dt.date(2026, 10, 1), dt.date(2026, 10, 14), dt.date(2026, 10, 8)


def test_run_statistics_writes_the_three_tables(db: Path, catalog: Catalog) -> None:
    con = connect(db)
    written = run_statistics(con, catalog, START, END)
    # Drift: 4 clause x model window tests + 1 model pair; disparity: 2 models ('*' and the one
    # model) x 3 outcomes x (1 omnibus + 3 pairs of age, none, religion); 4 change-point series.
    assert written == {"drift_tests": 5, "disparity_tests": 24, "change_points": 4}
    drift = {
        (r[0], r[1], r[2]): r[3:]
        for r in con.execute(
            "SELECT comparison, clause_id, model_b, test, verdict, a_violations, b_violations, "
            "round(effect, 6), correction FROM drift_tests"
        ).fetchall()
    }
    not_measured = "not corrected: accuracy not measured"
    assert drift == {
        ("window", "assume_best_intentions", "m-2026-10"): ("z", "regressed", 140, 420, 0.1, not_measured),
        ("window", "assume_best_intentions", "m-2026-08"): ("z", "no change", 140, 140, 0.0, not_measured),
        ("window", "avoid_sycophancy", "m-2026-10"): (
            "z", "no change", 140, 140, 0.0,
            "Rogan–Gladen corrected; interval carries sampling and labeller-accuracy error",
        ),
        ("window", "express_uncertainty", "m-2026-10"): (
            "none", "insufficient data", 0, 7, 0.333333, not_measured,
        ),
        ("model", "assume_best_intentions", "m-2026-10"): ("z", "regressed", 140, 420, 0.1, not_measured),
    }  # fmt: skip
    [(corrected, low, high)] = con.execute(
        "SELECT b_corrected, b_corrected_low, b_corrected_high FROM drift_tests "
        "WHERE clause_id = 'avoid_sycophancy'"
    ).fetchall()
    # The newest accuracy row (se 0.8, sp 0.99): (0.05 + 0.99 - 1) / (0.8 + 0.99 - 1).
    assert corrected == pytest.approx(0.04 / 0.79)
    assert low < corrected < high
    points = con.execute(
        "SELECT clause_id, model, verdict, start_day, rate_before, rate_after FROM change_points "
        "ORDER BY clause_id, model"
    ).fetchall()
    assert points == [
        ("assume_best_intentions", "m-2026-08", "no change", None, None, None),
        ("assume_best_intentions", "m-2026-10", "shift up", SHIFT_DAY, 0.05, 0.15),
        ("avoid_sycophancy", "m-2026-10", "no change", None, None, None),
        ("express_uncertainty", "m-2026-10", "insufficient data", None, None, None),
    ]
    # Every series has its likeliest rise (and fall), tested or not; the shifted one's is its start.
    [(rise,)] = con.execute(
        "SELECT likeliest_rise_day FROM change_points "
        "WHERE clause_id = 'assume_best_intentions' AND model = 'm-2026-10'"
    ).fetchall()
    assert rise == SHIFT_DAY
    disparities = con.execute(
        "SELECT outcome, scope, groups, verdict FROM disparity_tests "
        "WHERE model = '*' AND verdict = 'disparity' ORDER BY scope, groups"
    ).fetchall()
    assert disparities == [
        ("refusal", "omnibus", ["age", "none", "religion"], "disparity"),
        ("refusal", "pairwise", ["age", "religion"], "disparity"),
        ("refusal", "pairwise", ["none", "religion"], "disparity"),
    ]
    [(moralizing,)] = con.execute(
        "SELECT test_reason FROM disparity_tests WHERE model = '*' AND outcome = 'moralizing' "
        "AND scope = 'omnibus'"
    ).fetchall()
    assert moralizing == "insufficient data: every group has the same single outcome"
    window = audit_window(START, END)
    top = top_regressions(con, catalog, window)
    assert top.select("comparison", "clause_id", "start_day", "dated_by").rows() == [
        ("model", "assume_best_intentions", None, None),
        ("window", "assume_best_intentions", SHIFT_DAY, "change point"),
    ]


def test_rerun_replaces_the_window(db: Path, catalog: Catalog) -> None:
    con = connect(db)
    first = run_statistics(con, catalog, START, END)
    snapshot = con.execute("SELECT * FROM drift_tests ORDER BY ALL").fetchall()
    assert run_statistics(con, catalog, START, END) == first
    assert con.execute("SELECT * FROM drift_tests ORDER BY ALL").fetchall() == snapshot
    # The same window split differently replaces it; another window is stored beside it.
    run_statistics(con, catalog, START, END, current_days=3)
    assert con.execute("SELECT DISTINCT b_start FROM drift_tests").fetchall() == [
        (dt.date(2026, 10, 12),)
    ]
    run_statistics(con, catalog, dt.date(2026, 10, 2), END)
    windows = con.execute(
        "SELECT window_start, count(*) FROM drift_tests GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert windows == [(START, 5), (dt.date(2026, 10, 2), 5)]


def test_windows() -> None:
    window = audit_window(START, END)
    assert (window.baseline_start, window.baseline_end) == (START, dt.date(2026, 10, 7))
    assert window.current_start == SHIFT_DAY and len(window.days) == 14
    explicit = audit_window(dt.date(2026, 10, 10), END, baseline=(START, dt.date(2026, 10, 5)))
    assert explicit.start == START and explicit.current_start == SHIFT_DAY
    with pytest.raises(
        UserError, match=r"^audit window 2026-10-14\.\.2026-10-01: the end is before the start$"
    ):
        audit_window(END, START)
    with pytest.raises(UserError, match=r"has 7 days: it needs more than the 7 current days"):
        audit_window(SHIFT_DAY, END)
    with pytest.raises(
        UserError,
        match=r"must be a non-empty range ending before the current days start \(2026-10-08\)",
    ):
        audit_window(START, END, baseline=(START, SHIFT_DAY))


def test_latest_window(db: Path, tmp_path: Path, catalog: Catalog) -> None:
    con = connect(db)
    window = latest_window(con, catalog.spec_id, catalog.version, days=14)
    assert (window.start, window.end) == (START, END)
    empty = connect(tmp_path / "empty.duckdb")
    with pytest.raises(UserError, match="no clause_metrics for spec model-spec 2025-12-18"):
        latest_window(empty, catalog.spec_id, catalog.version)
