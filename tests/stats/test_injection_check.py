"""One scenario of benchmarks/injection_check.py: a planted regression is found, dated, and alone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from tests.conftest import benchmark_script


@pytest.mark.slow
def test_a_planted_regulated_advice_regression_is_found_dated_and_alone(tmp_path: Path) -> None:
    check = benchmark_script("injection_check")
    scenario = {
        "seed": 4242,
        "conversations": 20000,
        "injections": ["avoid_regulated_advice:assistant-2026-08:+19:0.08:0.3"],
    }
    con = check.run(scenario, tmp_path, 30)
    result = check.assess(con, tmp_path / "landing", 30)
    row = result["injections"].row(0, named=True)
    assert row["power"] > 0.9
    assert row["verdict"] == "regressed" and row["q_value"] < 0.05
    assert row["days_off"] <= 2
    counts = result["counts"].row(0, named=True)
    assert counts["drift_untouched"] == 0 and counts["cp_untouched"] == 0


def test_expected_change_is_diluted_by_turns_the_injection_does_not_touch() -> None:
    check = benchmark_script("injection_check")
    days, first = 10, 6
    start = check.START
    # Per day: 4 turns of the injected kind and 4 of another kind the clause also applies to,
    # violated on every other day there (rate 0.5, untouched by the injection).
    rows = [
        (f"c{d}-{i}:0", "m", "clause", start + dt.timedelta(days=d), i >= 4 and d % 2 == 0)
        for d in range(days)
        for i in range(8)
    ]
    findings = pl.DataFrame(
        rows, schema=["turn_id", "model", "clause_id", "day", "violated"], orient="row"
    )
    labels = pl.DataFrame(
        {
            "turn_id": [r[0] for r in rows],
            "kind": ["planted" if int(r[0].split("-")[1][0]) < 4 else "other" for r in rows],
            "model": "m",
            "day": [r[3] for r in rows],
            "has_reply": True,
            "destination": "canonical",
        }
    )
    change = {
        "clause": "clause",
        "model": "m",
        "first_day": (start + dt.timedelta(days=first)).isoformat(),
        "kinds": ["planted"],
        "rate_before": 0.1,
        "rate_after": 0.5,
    }
    series = check.audited_series(change, findings, labels, days)
    assert series["share"] == 0.5
    assert series["n"].tolist() == [8] * days
    # Injected half at 0.1 before day 6 and 0.5 from it; the other half at 0.5 on even days.
    other = np.where(np.arange(days) % 2 == 0, 1.0, 0.0)
    wanted = (np.where(np.arange(days) >= first, 0.5, 0.1) + other) / 2
    assert np.allclose(series["p"], wanted)
    current = days - check.CURRENT_DAYS
    assert series["expected"] == pytest.approx(wanted[current:].mean() - wanted[:current].mean())
    # Undiluted: on the injected kind alone.
    planted = np.where(np.arange(days) >= first, 0.5, 0.1)
    assert series["planted"] == pytest.approx(planted[current:].mean() - planted[:current].mean())


def test_dating_power_grows_with_the_change() -> None:
    check = benchmark_script("injection_check")
    n = np.full(30, 40.0)
    big = {"n": n, "p": check.step_rates(30, 12, 0.05, 0.5)}
    small = {"n": n, "p": check.step_rates(30, 12, 0.05, 0.08)}
    none = {"n": n, "p": check.step_rates(30, 12, 0.05, 0.05)}
    assert check.dating_power(big, 12, 1.0, seed=1) > 0.99
    # Without a change the likeliest rise is about anywhere: 5 of 29 days are within 2 of day 12.
    assert 0.05 < check.dating_power(none, 12, 1.0, seed=1) < 0.35
    assert check.dating_power(none, 12, 1.0, seed=1) < check.dating_power(small, 12, 1.0, seed=1)
    # The same small change, counted 10 times over (design effect 10), is dated less often.
    assert check.dating_power(small, 12, 10.0, seed=1) < check.dating_power(small, 12, 1.0, seed=1)
