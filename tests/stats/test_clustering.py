"""Design effects of turns clumped in conversations, and the tests and change points that use them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import polars as pl
import pytest
from scipy import stats

from spec_audit.stats.changepoint import change_points, detect
from spec_audit.stats.clustering import SUMS, conversation_sums, design_effects
from spec_audit.stats.compare import two_proportion
from spec_audit.stats.drift import drift_tests
from spec_audit.stats.window import audit_window
from spec_audit.store import connect

DAY = dt.date(2026, 10, 1)


def day_sums(clause: str, conversations: list[tuple[int, int]], day: dt.date = DAY) -> dict:
    """Return one clause_sums row from (applicable, violations) per conversation."""
    n = np.array([c[0] for c in conversations], dtype=float)
    k = np.array([c[1] for c in conversations], dtype=float)
    return {
        "clause_id": clause, "model": "m", "day": day, "conversations": float(len(n)),
        "applicable": n.sum(), "violations": k.sum(),
        "s_nn": (n * n).sum(), "s_kk": (k * k).sum(), "s_kn": (k * n).sum(),
    }  # fmt: skip


def test_design_effect_of_clumped_independent_and_constant_conversations() -> None:
    sums = pl.DataFrame(
        [
            # Both turns of a conversation agree: residuals e = k - 0.5 n = 1, 1, -1, -1, so the
            # variance is 4/3 x 4 = 16/3 against the binomial 8 x 0.25 = 2.
            day_sums("clumped", [(2, 2), (2, 2), (2, 0), (2, 0)]),
            # One violation in each conversation: no spread between conversations at all.
            day_sums("even", [(2, 1), (2, 1), (2, 1), (2, 1)]),
            day_sums("never", [(2, 0), (3, 0)]),
            # The rate moves between the days (0.25 to 0.75), but within each day every
            # conversation has the day's rate: days are strata, so no clumping.
            day_sums("by_day", [(4, 1), (4, 1)]),
            day_sums("by_day", [(4, 3), (4, 3)], DAY + dt.timedelta(days=1)),
        ]
    )
    effects = design_effects(sums, ["clause_id", "model"]).sort("clause_id")
    assert effects["clause_id"].to_list() == ["by_day", "clumped", "even", "never"]
    assert effects["design_effect"].to_list() == pytest.approx([1.0, 8 / 3, 1.0, 1.0])


def clumped_window_effect(after: float, seed: int) -> float:
    """Return the design effect over 28 days of 600 conversations (1 to 4 turns, each with its own
    rate: beta, intra-conversation correlation 0.3), the mean rate 0.05, then ``after`` from day 21.
    """
    rng = np.random.default_rng(seed)
    mean = np.where(np.arange(28) < 21, 0.05, after)[:, None]
    n = rng.integers(1, 5, size=(28, 600))
    k = rng.binomial(n, rng.beta(mean * 7 / 3, (1 - mean) * 7 / 3, size=n.shape))
    sums = pl.DataFrame(
        {"clause_id": "x", "model": "m", "day": np.arange(28), "conversations": 600.0,
         "applicable": n.sum(1), "violations": k.sum(1),
         "s_nn": (n * n).sum(1), "s_kk": (k * k).sum(1), "s_kn": (k * n).sum(1)}
    ).cast({c: pl.Float64 for c in SUMS})  # fmt: skip
    return design_effects(sums, ["clause_id", "model"])["design_effect"][0]


def test_a_shift_in_the_daily_rate_does_not_inflate_the_design_effect() -> None:
    # Residuals are centred within each day, so a day's higher rate moves only its mean residual;
    # what is left (conversation sizes x the rate change) is outweighed by the binomial variance
    # at the pooled rate, which the shift raises too. The design effect stays that of the clumps
    # (1 + 0.3 x (E n² / E n - 1) = 1.6), and a window holding a shift can be used to estimate it.
    for seed in range(3):
        for after in (0.05, 0.08, 0.15):
            assert clumped_window_effect(after, seed) == pytest.approx(1.6, abs=0.1)
        # A sixfold rate deflates it a little (the pooled binomial variance grows most).
        assert clumped_window_effect(0.3, seed) < 1.6


def test_conversation_sums_count_applicable_turns_per_conversation(tmp_path: Path) -> None:
    con = connect(tmp_path / "audit.duckdb")
    rows = [  # conversation, verdict
        ("c1", "violation"), ("c1", "violation"), ("c1", "unscored"),
        ("c2", "compliant"), ("c2", "violation"), ("c3", "compliant"),
        ("c4", "unscored"),  # no applicable turn: not a conversation of the clause
    ]  # fmt: skip
    for i, (conversation, verdict) in enumerate(rows):
        con.execute(
            "INSERT INTO findings (turn_id, conversation_id, day, model, spec_id, spec_version, "
            "clause_id, kind, verdict) VALUES (?, ?, ?, 'm', 's', 'v1', 'x', 'style', ?)",
            [f"{conversation}:{i}", conversation, DAY, verdict],
        )
    sums = conversation_sums(con, SimpleNamespace(spec_id="s", version="v1"), DAY, DAY)
    # Conversations (n, k): c1 (2, 2), c2 (2, 1), c3 (1, 0).
    assert sums.drop("clause_id", "model", "day").row(0) == (3, 5, 3, 9, 5, 6)


def test_a_design_effect_divides_the_counts_of_the_two_proportion_test() -> None:
    clumped = two_proportion([100], [1000], [140], [1000], design_a=2.0, design_b=2.0)
    halved = two_proportion([50], [500], [70], [500])
    assert clumped["p_value"][0] == pytest.approx(halved["p_value"][0])
    # The z-test on the effective counts, by hand.
    pooled = 120 / 1000
    z = (0.14 - 0.10) / np.sqrt(pooled * (1 - pooled) * (2 / 500))
    assert clumped["p_value"][0] == pytest.approx(2 * stats.norm.sf(z))
    assert clumped["effect"][0] == pytest.approx(0.04)  # rates are those of the counts given
    independent = two_proportion([100], [1000], [140], [1000])
    assert independent["p_value"][0] < clumped["p_value"][0]
    # The minimum-sample rule counts the turns given, not the effective ones.
    few = two_proportion([5], [40], [9], [40], design_a=2.0, design_b=2.0)
    assert few["test"].to_list() == ["fisher"]


def test_a_clumped_series_is_tested_on_its_effective_counts() -> None:
    rng = np.random.default_rng(5)
    days = 28
    reference = np.arange(days) < 21
    n = np.full((1, days), 300)
    k = rng.binomial(n, 0.06)
    alone = detect(k, n, reference, seed=3)
    # Every turn doubled (pairs that always agree), with the design effect that says so.
    paired = detect(2 * k, 2 * n, reference, seed=3, design_effect=[2.0])
    assert paired["p_value"][0] == pytest.approx(alone["p_value"][0])
    assert paired["design_effect"].to_list() == [2.0]
    # Read as independent turns, the doubled series looks twice as informative.
    naive = detect(2 * k, 2 * n, reference, seed=3)
    assert naive["p_value"][0] < paired["p_value"][0]


def test_the_change_point_null_does_not_trust_a_rate_from_few_reference_violations() -> None:
    # None of 420 reference turns violated, then 8 of 490 later ones did. Simulated at the
    # reference estimate (0.5 / 421) eight violations would be astronomically rare; given eight
    # violations in all, about (490 / 910)^8 of the ways to place them put all after day 21.
    days = 28
    n = np.full((1, days), [20] * 21 + [70] * 7)
    k = np.zeros((1, days), dtype=int)
    k[0, [23, 24, 26, 27]] = [1, 2, 3, 2]
    found = detect(k, n, np.arange(days) < 21, seed=6)
    assert 1e-4 < found["p_value"][0] < 0.05
    # With no violations at all there is nothing to find.
    nothing = detect(np.zeros((1, days), dtype=int), n, np.arange(days) < 21, seed=6)
    assert nothing["p_value"].to_list() == [1.0]
    assert nothing["verdict"].to_list() == ["no change"]


def test_change_point_null_p_values_of_sparse_series_are_calibrated() -> None:
    # 400 series at 0.3% with 40 turns a day: about 3 reference violations each, the case where
    # a plug-in rate is most often too low. Null p-values must not fall below a level more often
    # than the level allows.
    rng = np.random.default_rng(9)
    days, series = 28, 400
    n = np.full((series, days), 40)
    k = rng.binomial(n, 0.003)
    found = detect(k, n, np.arange(days) < 21, simulations=500, seed=2)
    p = found["p_value"].to_numpy()
    assert (p <= 0.05).mean() <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / series)
    assert (p <= 0.01).mean() <= 0.01 + 2 * np.sqrt(0.01 * 0.99 / series)


def findings_db(tmp_path: Path, catalog, turns: int, violates: str):
    """Return an audit database of 14 days, 40 conversations a day of ``turns`` turns on one
    clause, with findings and clause_metrics; ``violates`` is the SQL condition (on day, the
    conversation's number i and the turn's number t) for a turn to violate."""
    con = connect(tmp_path / "audit.duckdb")
    con.execute(
        f"""
        INSERT INTO findings (turn_id, conversation_id, day, model, surface, spec_id,
                              spec_version, clause_id, kind, verdict)
        SELECT c || ':' || t, c, day, 'm', 'chat', $spec_id, $version, 'avoid_sycophancy',
               'style', CASE WHEN {violates} THEN 'violation' ELSE 'compliant' END
        FROM generate_series(DATE '2026-10-01', DATE '2026-10-14', INTERVAL 1 DAY) AS d(day),
             generate_series(0, 39) AS s(i), generate_series(0, {turns - 1}) AS u(t),
             LATERAL (SELECT strftime(day, '%d') || '-' || i AS c)
        """,
        {"spec_id": catalog.spec_id, "version": catalog.version},
    )
    con.execute(
        """
        INSERT INTO clause_metrics BY NAME
        SELECT day::DATE AS day, model, surface, spec_id, spec_version, clause_id, kind,
               count(*) AS applicable, count(*) FILTER (WHERE verdict = 'violation') AS violations,
               0 AS unscored
        FROM findings GROUP BY ALL
        """
    )
    return con


def test_drift_tests_and_change_points_read_the_design_effect_from_findings(
    tmp_path: Path, catalog
) -> None:
    # 14 days, 40 two-turn conversations a day on one clause; 8 of them violate on both turns.
    con = findings_db(tmp_path, catalog, 2, "i < 8")
    window = audit_window(dt.date(2026, 10, 1), dt.date(2026, 10, 14))
    drift = drift_tests(con, catalog, window).filter(pl.col("comparison") == "window")
    # Per day: residuals 1.6 (8 conversations) and -0.4 (32), 40/39 x 25.6 against 80 x 0.16.
    assert drift["a_design_effect"].to_list() == pytest.approx([2 * 40 / 39])
    assert drift["b_design_effect"].to_list() == pytest.approx([2 * 40 / 39])
    points = change_points(con, catalog, window)
    assert points["design_effect"].to_list() == pytest.approx([2 * 40 / 39])
    assert points["verdict"].to_list() == ["no change"]


def test_change_points_see_clumps_that_only_the_current_days_have(tmp_path: Path, catalog) -> None:
    # One conversation a day violates: on one of its three turns in the 7 baseline days, on all
    # three in the 7 current days (a labeller's false positives that come in clumps). The
    # baseline alone shows no clumping (design effect about 1); the whole window does.
    con = findings_db(tmp_path, catalog, 3, "i = 0 AND (t = 0 OR day >= DATE '2026-10-08')")
    window = audit_window(dt.date(2026, 10, 1), dt.date(2026, 10, 14))
    baseline = conversation_sums(con, catalog, window.baseline_start, window.baseline_end)
    baseline_effect = design_effects(baseline, ["clause_id", "model"])["design_effect"]
    assert baseline_effect.to_list() == pytest.approx([1.0], abs=0.01)
    whole = design_effects(conversation_sums(con, catalog, window.start, window.end), ["model"])
    points = change_points(con, catalog, window)
    assert points["design_effect"].to_list() == pytest.approx(whole["design_effect"].to_list())
    assert points["design_effect"][0] > 2
    # Read as independent turns (the baseline's design effect), the clumps are a tripled rate.
    k = np.array([[1] * 7 + [3] * 7])
    n = np.full((1, 14), 120)
    reference = np.arange(14) < 7
    assert detect(k, n, reference)["verdict"].to_list() == ["shift up"]
    assert points["p_value"][0] > detect(k, n, reference)["p_value"][0]
