"""Every interval and p-value of spec_audit.stats against scipy's reference implementations."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest
from scipy import stats

from spec_audit.metrics import sql as metrics_sql
from spec_audit.stats.compare import (
    chi_square,
    fisher_exact_p,
    ks,
    mann_whitney,
    minimum_detectable_effect,
    power,
    two_proportion,
)
from spec_audit.stats.intervals import newcombe, wilson, z_value
from spec_audit.stats.multiplicity import adjust, bh, holm

COUNTS = [(0, 10), (1, 10), (5, 50), (50, 50), (17, 230), (480, 9217), (3, 4000)]


@pytest.mark.parametrize(("k", "n"), COUNTS)
def test_wilson_matches_scipy_and_the_sql_macro(k: int, n: int) -> None:
    low, high = wilson(k, n)
    reference = stats.binomtest(k, n).proportion_ci(method="wilson")
    assert float(low) == pytest.approx(reference.low, abs=1e-12)
    assert float(high) == pytest.approx(reference.high, abs=1e-12)
    con = duckdb.connect()
    con.execute(metrics_sql("macros"))
    [(sql_low, sql_high)] = con.execute(
        "SELECT wilson_low(?::DOUBLE, ?::DOUBLE, ?), wilson_high(?::DOUBLE, ?::DOUBLE, ?)",
        [k, n, z_value(), k, n, z_value()],
    ).fetchall()
    assert float(low) == pytest.approx(sql_low, abs=1e-12)
    assert float(high) == pytest.approx(sql_high, abs=1e-12)


def test_wilson_is_nan_without_trials() -> None:
    low, high = wilson([0, 3], [0, 10])
    assert np.isnan(low[0]) and np.isnan(high[0])
    assert low[1] == pytest.approx(0.1077913, abs=1e-6)


def test_newcombe_interval_holds_the_difference() -> None:
    low, high = newcombe(20, 400, 60, 400)
    a = stats.binomtest(20, 400).proportion_ci(method="wilson")
    b = stats.binomtest(60, 400).proportion_ci(method="wilson")
    # Newcombe (1998) method 10, written out from scipy's Wilson intervals.
    assert float(low) == pytest.approx(0.1 - np.hypot(0.15 - b.low, a.high - 0.05), abs=1e-12)
    assert float(high) == pytest.approx(0.1 + np.hypot(b.high - 0.15, 0.05 - a.low), abs=1e-12)
    assert low < 0.1 < high


TABLES = [(10, 100, 20, 100), (140, 2800, 420, 2800), (90, 1000, 70, 1200), (500, 600, 480, 610)]


@pytest.mark.parametrize(("k_a", "n_a", "k_b", "n_b"), TABLES)
def test_z_test_p_value_is_the_pearson_chi_square_of_the_2x2_table(k_a, n_a, k_b, n_b) -> None:
    [row] = two_proportion(k_a, n_a, k_b, n_b).to_dicts()
    reference = stats.chi2_contingency([[k_a, n_a - k_a], [k_b, n_b - k_b]], correction=False)
    assert row["test"] == "z"
    assert row["p_value"] == pytest.approx(reference.pvalue, rel=1e-9)
    assert row["statistic"] ** 2 == pytest.approx(reference.statistic, rel=1e-9)
    assert row["effect"] == pytest.approx(k_b / n_b - k_a / n_a)


SMALL = [(0, 40, 3, 40), (1, 30, 6, 35), (2, 100, 7, 110), (0, 30, 0, 31), (3, 31, 3, 31),
         (4, 1000, 0, 50), (30, 31, 25, 33)]  # fmt: skip


@pytest.mark.parametrize(("k_a", "n_a", "k_b", "n_b"), SMALL)
def test_fisher_p_value_matches_scipy(k_a, n_a, k_b, n_b) -> None:
    reference = stats.fisher_exact([[k_a, n_a - k_a], [k_b, n_b - k_b]]).pvalue
    assert float(fisher_exact_p(k_a, n_a, k_b, n_b)[0]) == pytest.approx(reference, rel=1e-9)
    [row] = two_proportion(k_a, n_a, k_b, n_b).to_dicts()
    assert row["test"] == "fisher"
    assert row["test_reason"] == "an expected count < 5: Fisher's exact test"
    assert row["p_value"] == pytest.approx(reference, rel=1e-9)


def test_vectorised_fisher_matches_scipy_on_a_random_family() -> None:
    rng = np.random.default_rng(4)
    n_a, n_b = rng.integers(5, 300, 300), rng.integers(5, 300, 300)
    k_a, k_b = rng.binomial(n_a, 0.03), rng.binomial(n_b, 0.05)
    ours = fisher_exact_p(k_a, n_a, k_b, n_b)
    reference = [
        stats.fisher_exact([[a, x - a], [b, y - b]]).pvalue
        for a, x, b, y in zip(k_a, n_a, k_b, n_b, strict=True)
    ]
    np.testing.assert_allclose(ours, reference, rtol=1e-9)


def test_minimum_sample_rule_answers_insufficient_data() -> None:
    [row] = two_proportion(0, 29, 5, 500).to_dicts()
    assert row["test"] == "none"
    assert row["test_reason"] == "insufficient data: fewer than 30 applicable turns in a group"
    assert row["p_value"] is None and row["statistic"] is None
    [row] = two_proportion(0, 10, 5, 12, min_n=10).to_dicts()
    assert row["test"] == "fisher"


def test_minimum_detectable_effect_has_the_stated_power() -> None:
    mde = minimum_detectable_effect([0.05, 0.3], [1000, 5000], [1000, 2000])
    achieved = power([0.05, 0.3], np.array([0.05, 0.3]) + mde, [1000, 5000], [1000, 2000])
    np.testing.assert_allclose(achieved, 0.8, atol=1e-5)
    assert float(mde[0]) == pytest.approx(0.0310, abs=5e-4)


def test_chi_square_matches_scipy_when_cochran_holds() -> None:
    table = [[30, 50, 20], [45, 40, 15], [20, 60, 40]]
    result = chi_square(table)
    reference = stats.chi2_contingency(table, correction=False)
    assert result.test == "chi_square"
    assert result.statistic == pytest.approx(reference.statistic, rel=1e-12)
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-12)
    v = np.sqrt(reference.statistic / (np.sum(table) * 2))
    assert result.effect == pytest.approx(v)
    assert result.effect_low < v < result.effect_high


def test_chi_square_small_counts_use_a_monte_carlo_p_value() -> None:
    table = [[40, 2, 0], [35, 0, 3]]
    result = chi_square(table, resamples=4999)
    reference = stats.chi2_contingency(
        table, correction=False, method=stats.PermutationMethod(n_resamples=4999, rng=1)
    )
    assert result.test == "chi_square_monte_carlo"
    assert result.statistic == pytest.approx(reference.statistic)
    assert result.p_value == pytest.approx(reference.pvalue, abs=0.03)


def test_chi_square_insufficient_data() -> None:
    assert chi_square([[10, 5], [40, 40]]).reason == (
        "insufficient data: fewer than 30 observations in a group"
    )
    assert chi_square([[40, 0], [50, 0]]).reason == (
        "insufficient data: every group has the same single outcome"
    )


def test_mann_whitney_matches_scipy() -> None:
    rng = np.random.default_rng(2)
    a, b = rng.normal(0, 1, 60), rng.normal(0.5, 1, 45)
    result = mann_whitney(a, b)
    reference = stats.mannwhitneyu(b, a, alternative="two-sided")
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-12)
    assert result.statistic == reference.statistic
    assert result.effect == pytest.approx(reference.statistic / (60 * 45))
    assert result.effect_low < result.effect < result.effect_high
    assert mann_whitney(a[:20], b).test == "none"


def test_ks_matches_scipy() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.exponential(1, 80), rng.exponential(1.6, 70)
    result = ks(a, b)
    reference = stats.ks_2samp(b, a)
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-12)
    assert result.effect == pytest.approx(reference.statistic)
    assert result.effect_low <= result.effect <= result.effect_high
    assert result.reason == "whole distributions compared: two-sample Kolmogorov–Smirnov"


def test_bh_matches_scipy_false_discovery_control() -> None:
    p = np.random.default_rng(5).uniform(size=200) ** 4
    np.testing.assert_allclose(bh(p), stats.false_discovery_control(p), rtol=1e-12)


def test_adjustment_leaves_untested_out_of_the_family() -> None:
    p = [0.01, np.nan, 0.04, 0.03]
    np.testing.assert_allclose(bh(p), [0.03, np.nan, 0.04, 0.04])
    np.testing.assert_allclose(holm(p), [0.03, np.nan, 0.06, 0.06])
    np.testing.assert_allclose(adjust(p, "holm"), holm(p))
    with pytest.raises(ValueError, match="unknown multiplicity method 'bonf'"):
        adjust(p, "bonf")
