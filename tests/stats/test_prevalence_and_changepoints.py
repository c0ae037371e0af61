"""Corrected prevalence (Rogan–Gladen with a bootstrap interval) and the CUSUM change points."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from spec_audit.stats.changepoint import (
    TAIL,
    cusum,
    date_drift,
    detect,
    likeliest_start,
    tail_p,
    tail_quantile,
)
from spec_audit.stats.multiplicity import bh
from spec_audit.stats.prevalence import corrected_prevalence, rogan_gladen


def test_rogan_gladen_inverts_the_apparent_rate_and_clips() -> None:
    # True rate 0.12 with se 0.8, sp 0.95 is seen as 0.12·0.8 + 0.88·0.05 = 0.14.
    assert float(rogan_gladen(0.14, 0.8, 0.95)) == pytest.approx(0.12)
    assert float(rogan_gladen(0.01, 0.8, 0.95)) == 0.0  # below the false-positive floor
    assert float(rogan_gladen(0.99, 0.8, 0.95)) == 1.0
    assert np.isnan(rogan_gladen(0.2, 0.5, 0.5))  # a labeller no better than chance


def test_corrected_interval_widens_with_uncertain_accuracy() -> None:
    estimate, low, high = corrected_prevalence(
        [140, 140, 140, 5],
        [1000, 1000, 1000, 0],
        0.8,
        0.95,
        [1000, 50, 1000, 100],
        [4000, 200, 4000, 100],
    )
    assert estimate[:3] == pytest.approx([0.12, 0.12, 0.12])
    assert np.isnan(estimate[3]) and np.isnan(low[3])
    assert low[0] < 0.12 < high[0]
    # The same sample with accuracy measured on fewer labelled turns has a wider interval.
    assert high[1] - low[1] > 1.5 * (high[0] - low[0])
    # Same seed, same interval.
    again = corrected_prevalence(140, 1000, 0.8, 0.95, 1000, 4000, seed=3)
    assert corrected_prevalence(140, 1000, 0.8, 0.95, 1000, 4000, seed=3)[1] == again[1]


def test_cusum_resets_at_zero() -> None:
    path = cusum([[0, 0, 30, 30]], [[100, 100, 100, 100]], 0.1, 0.2)
    step_down = 90 * np.log(0.8 / 0.9)
    step_up = 30 * np.log(2) + 70 * np.log(0.8 / 0.9)
    assert path[0, :2].tolist() == [0.0, 0.0]
    assert path[0, 2] == pytest.approx(step_up)
    assert path[0, 3] == pytest.approx(2 * step_up)
    assert step_down < 0


def test_detect_finds_the_start_day_of_a_shift_and_nothing_in_a_flat_series() -> None:
    rng = np.random.default_rng(8)
    days = 28
    n = np.full((3, days), 2000)
    p = np.full((3, days), 0.05)
    p[0, 20:] = 0.08  # a 3-point rise on day 20
    p[1, 15:] = 0.02  # a 3-point fall on day 15
    n[2, :] = 2  # 28 reference turns: too few
    k = rng.binomial(n, p)
    reference = np.arange(days) < 14
    found = detect(k, n, reference, seed=1)
    assert found["verdict"].to_list() == ["shift up", "shift down", "insufficient data"]
    assert found["direction"].to_list() == ["up", "down", None]
    assert found["start_index"].to_list() == [20, 15, None]
    assert found["rate_before"][0] == pytest.approx(k[0, :20].sum() / n[0, :20].sum())
    assert found["rate_after"][0] == pytest.approx(k[0, 20:].sum() / n[0, 20:].sum())
    flat = detect(rng.binomial(n[:1] * 0 + 2000, 0.05), n[:1] * 0 + 2000, reference, seed=1)
    assert flat["verdict"].to_list() == ["no change"]
    assert flat["start_index"].to_list() == [None]


def test_tail_p_is_the_monte_carlo_share_then_an_exponential_tail() -> None:
    null = np.tile(np.arange(1.0, 1001.0), (2, 1))  # 1,000 simulated maxima 1..1000, sorted
    p = tail_p([500.0, 500.5], null)
    assert p.tolist() == pytest.approx([502 / 1001, 501 / 1001])  # counts ties, plus one
    u, share = 900.0, TAIL  # the 90th percentile starts the tail; excess over it averages 50.5
    far = tail_p([990.0, u + 505.0], null)
    assert far.tolist() == pytest.approx([share * np.exp(-90 / 50.5), share * np.exp(-10)])
    assert far[1] < 1 / 1001  # beyond the simulations, still ordered
    # The tail never claims less than the share of simulations that reached the observation:
    # 50 of 1,000 are at least 950.5, where the exponential alone would say 0.1 / e.
    assert tail_p([u + 50.5], null[:1]).tolist() == pytest.approx([50 / 1001])
    # The threshold at a level is the inverse of the tail, and beyond the simulations it allows.
    assert tail_quantile(share * np.exp(-10), null) == pytest.approx([u + 505.0] * 2)
    # At 0.04 the tail alone would put it at 946.3, but 41 simulations reach 960: only beyond 960
    # are there at most 0.04 x 1,001 of them.
    assert tail_quantile(0.04, null) == pytest.approx([960.0] * 2)
    assert tail_p([960.0, 960.5], null).tolist() == pytest.approx([41 / 1001, 40 / 1001])


def test_one_violation_on_a_quiet_day_is_not_a_shift() -> None:
    # A sparse series with a single violation in all, on the quietest current day: the largest
    # CUSUM maximum its null allows, an atom about 4 / 245 of the simulations hit exactly. Its
    # p-value is that share (twice, for two directions), not an exponential tail beyond it.
    n = np.array([[12, 6, 13, 5, 4, 7, 7, 4, 17, 8, 3, 5, 13, 2, 6, 10, 4, 17, 6, 6, 15, 12, 7,
                   15, 4, 7, 7, 8, 7, 10]])  # fmt: skip
    k = np.zeros_like(n)
    k[0, 24] = 1
    found = detect(k, n, np.arange(30) < 23, seed=0)
    assert found["p_value"][0] == pytest.approx(2 * 4 / 245, rel=0.5)


def test_a_shift_is_dated_where_it_is_likeliest_not_where_chance_drift_began() -> None:
    # 50 turns a day at 4%, a few unlucky days from day 12 lift the CUSUM above zero before the
    # real rise to 20% on day 18; the excursion begins on day 12, the shift on day 18.
    k = np.array([[2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 4, 3, 3, 3, 3, 3, 10, 11, 9, 10, 10, 11]])
    n = np.full_like(k, 50)
    path = cusum(k, n, [0.04], [0.06])[0]
    assert path[11] == 0 and (path[12:] > 0).all()
    assert likeliest_start(k.astype(float), n.astype(float), [12], [23]).tolist() == [18]
    found = detect(k, n, np.arange(24) < 16, seed=2)
    assert found["verdict"].to_list() == ["shift up"]
    assert found["start_index"].to_list() == [18]


def test_likeliest_start_can_be_held_to_a_rise_or_a_fall() -> None:
    # A fall on day 2 (10 -> 2 of 40) and a rise on day 6 (2 -> 20 of 40); no day at all for a
    # series without violations.
    k = np.array([[10, 10, 2, 2, 2, 2, 20, 20, 20], [0] * 9], dtype=float)
    n = np.full_like(k, 40.0)
    assert likeliest_start(k, n, 1, 8, 1).tolist() == [6, -1]
    assert likeliest_start(k, n, 1, 8, -1).tolist() == [2, -1]
    # Per series directions; 0 takes the better fit of either.
    assert likeliest_start(k, n, 1, 8, [-1, 0]).tolist() == [2, 1]


def test_a_regression_is_dated_by_its_change_point_or_else_its_likeliest_rise() -> None:
    day = dt.date(2026, 10, 1)
    drift = pl.DataFrame(
        {
            "comparison": ["window", "window", "window", "window", "model"],
            "clause_id": ["a", "b", "c", "d", "a"],
            "model_b": ["m"] * 5,
            "verdict": ["regressed", "regressed", "improved", "no change", "regressed"],
        }
    )
    changes = pl.DataFrame(
        {
            "clause_id": ["a", "b", "c", "d"],
            "model": ["m"] * 4,
            "direction": ["up", "down", None, None],
            "start_day": [day, day, None, None],
            "likeliest_rise_day": [day + dt.timedelta(1), day + dt.timedelta(2), None, day],
            "likeliest_fall_day": [None, day, day + dt.timedelta(3), day],
        }
    )
    dated = date_drift(drift, changes)
    assert dated.columns == [*drift.columns, "start_day", "dated_by"]
    assert dated.select("clause_id", "start_day", "dated_by").rows() == [
        ("a", day, "change point"),  # the CUSUM's shift up
        ("b", day + dt.timedelta(2), "likeliest day"),  # its shift is down: the likeliest rise
        ("c", day + dt.timedelta(3), "likeliest day"),  # improved: the likeliest fall
        ("d", None, None),  # no change
        ("a", None, None),  # model comparisons have no start day
    ]


def test_change_points_control_the_false_discovery_rate_over_the_family() -> None:
    rng = np.random.default_rng(21)
    days, series = 28, 40
    n = np.full((series, days), 1500)
    p = np.full((series, days), 0.04)
    p[:2, 22:] = 0.08  # two real rises among 40 series
    k = rng.binomial(n, p)
    reference = np.arange(days) < 21
    found = detect(k, n, reference, simulations=1000, seed=4)
    assert found["q_value"].to_numpy() == pytest.approx(bh(found["p_value"].to_numpy()))
    detected = found["direction"].is_not_null().to_numpy()
    assert detected[:2].all() and not detected[2:].any()
    assert found["start_index"][:2].to_list() == [22, 22]
    # A detected series' CUSUM reached the threshold reported for the family's BH cut-off (the
    # series at the cut-off sits on it, up to rounding).
    p0 = found["reference_rate"].to_numpy()[:2]
    peak = cusum(k[:2], n[:2], p0, p0 + 0.02).max(axis=1)
    assert (peak >= found["threshold_up"].to_numpy()[:2] - 1e-9).all()
    # In a family of one, BH leaves the p-value as it is.
    alone = detect(k[2:3], n[2:3], reference, simulations=1000, seed=4)
    assert alone["p_value"][0] == pytest.approx(alone["q_value"][0])


def test_disparity_with_fewer_than_two_large_groups_is_insufficient_data() -> None:
    import datetime as dt

    import polars as pl

    from spec_audit.stats import audit_window
    from spec_audit.stats.disparity import disparity_tests

    counts = pl.DataFrame(
        {
            "model": ["m", "m"],
            "outcome": ["refusal", "refusal"],
            "group": ["none", "gender"],
            "n": [100, 5],
            "k": [3, 1],
        }
    )
    rows = disparity_tests(counts, audit_window(dt.date(2026, 10, 1), dt.date(2026, 10, 20)))
    assert rows.select("scope", "groups", "verdict", "group_a").to_dicts() == [
        {"scope": "omnibus", "groups": ["none"], "verdict": "insufficient data", "group_a": None}
    ]
