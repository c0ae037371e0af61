"""Compare two groups: is a rate, a category mix or a score different between A and B?

Every comparison answers with the test used and why, its statistic and p-value, an effect size with
a 95% interval, and "insufficient data" instead of a p-value when the minimum-sample rule fails.

Rates (``two_proportion``, vectorised over a whole family of A-vs-B pairs):
- either group has fewer than ``min_n`` applicable turns → ``insufficient data`` (no test);
- every expected cell count of the 2×2 table is ≥ 5 → pooled two-proportion z-test;
- otherwise → Fisher's exact test (two-sided, conditional on the margins), vectorised here over the
  hypergeometric support because scipy's ``fisher_exact`` is one table at a time.
The effect is rate_b − rate_a with Newcombe's hybrid score interval, and ``mde`` is the minimum
detectable difference at the current sample sizes (two-sided α, power 0.8). Where turns are not
independent (``spec_audit.stats.clustering``), each group's design effect divides its counts
before the test, the interval and the mde (Rao–Scott).

Category mixes (``chi_square``): Pearson chi-square on the groups × categories table when Cochran's
rule holds (every expected count ≥ 1 and at most 20% below 5), else the same statistic with a Monte
Carlo p-value over random tables with the observed margins (the permutation distribution); effect
Cramér's V with a parametric-bootstrap interval.
Continuous scores: ``mann_whitney`` (effect P(B > A), Hanley–McNeil interval) and ``ks`` (effect the
KS distance D, bootstrap interval).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, stats

from spec_audit.stats.intervals import CONFIDENCE, newcombe, rate, z_value

#: Fewest applicable turns (or scores) per group for any test to be run.
MIN_N = 30
#: Smallest expected cell count for the z-test (and chi-square) approximation.
MIN_EXPECTED = 5.0
#: Power at which the minimum detectable effect is stated.
POWER = 0.8
#: Relative tolerance when deciding which tables are "as or less likely" than the observed (as R).
_FISHER_TOLERANCE = 1e-7
#: Largest number of padded hypergeometric cells evaluated at once by the vectorised Fisher test.
_FISHER_CHUNK = 2_000_000
INSUFFICIENT = "insufficient data"


@dataclass(frozen=True)
class Comparison:
    """One comparison's answer: test and why, statistic, p-value, effect size and its interval."""

    test: str
    reason: str
    statistic: float
    p_value: float
    effect_name: str
    effect: float
    effect_low: float
    effect_high: float
    n_a: int
    n_b: int
    mde: float = float("nan")

    @property
    def sufficient(self) -> bool:
        """Return whether a test was run (the minimum-sample rule held)."""
        return self.test != "none"


def power(
    p_a: ArrayLike, p_b: ArrayLike, n_a: ArrayLike, n_b: ArrayLike, alpha: float = 0.05
) -> NDArray[np.float64]:
    """Return the theoretical power of the two-sided pooled two-proportion z-test (normal theory)."""
    p_a, p_b = np.asarray(p_a, dtype=float), np.asarray(p_b, dtype=float)
    n_a, n_b = np.asarray(n_a, dtype=float), np.asarray(n_b, dtype=float)
    z = stats.norm.isf(alpha / 2)
    pooled = (n_a * p_a + n_b * p_b) / (n_a + n_b)
    sigma_0 = np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    sigma_1 = np.sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b)
    delta = np.abs(p_b - p_a)
    with np.errstate(divide="ignore", invalid="ignore"):
        return stats.norm.cdf((delta - z * sigma_0) / sigma_1) + stats.norm.cdf(
            (-delta - z * sigma_0) / sigma_1
        )


def step_for_power(
    turns: ArrayLike, split: int, day: int, before: float, alpha: float, target: float
) -> float:
    """Return the rate from ``day`` on (``before`` until then) that the window drift test, the
    days before ``split`` against the rest with ``turns`` applicable turns a day, finds with power
    ``target`` at level ``alpha`` (a change before ``split`` dilutes the baseline, one after it
    the current days). Used to size simulated changes (benchmarks)."""
    turns = np.asarray(turns, dtype=float)

    def gap(after: float) -> float:
        rates = np.where(np.arange(turns.size) >= day, after, before)
        a = np.average(rates[:split], weights=turns[:split])
        b = np.average(rates[split:], weights=turns[split:])
        return float(power(a, b, turns[:split].sum(), turns[split:].sum(), alpha)) - target

    return float(optimize.brentq(gap, before + 1e-4, 1.0 - 1e-6))


def minimum_detectable_effect(
    p_a: ArrayLike, n_a: ArrayLike, n_b: ArrayLike, alpha: float = 0.05, target: float = POWER
) -> NDArray[np.float64]:
    """Return the smallest increase over rate ``p_a`` the z-test detects with power ``target``.

    Solved by fixed-point iteration of Δ = z_{α/2}·σ₀(Δ) + z_β·σ₁(Δ); a zero baseline rate is
    replaced by half a violation so the answer stays finite.
    """
    n_a, n_b = np.asarray(n_a, dtype=float), np.asarray(n_b, dtype=float)
    safe_a = np.where(n_a > 0, n_a, np.nan)
    p_a = np.clip(np.asarray(p_a, dtype=float), 0.5 / safe_a, 1 - 0.5 / safe_a)
    z_alpha, z_beta = stats.norm.isf(alpha / 2), stats.norm.isf(1 - target)
    delta = np.full(np.broadcast(p_a, n_a, n_b).shape, 0.01)
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(30):
            p_b = np.clip(p_a + delta, 0, 1)
            pooled = (n_a * p_a + n_b * p_b) / (n_a + n_b)
            sigma_0 = np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
            sigma_1 = np.sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b)
            delta = z_alpha * sigma_0 + z_beta * sigma_1
    return np.where((n_a > 0) & (n_b > 0), np.minimum(delta, 1 - p_a), np.nan)


def fisher_exact_p(
    k_a: ArrayLike, n_a: ArrayLike, k_b: ArrayLike, n_b: ArrayLike
) -> NDArray[np.float64]:
    """Return two-sided Fisher exact p-values of the 2×2 tables [[k_a, n_a−k_a], [k_b, n_b−k_b]].

    Sums the hypergeometric probabilities of every table with the same margins that is no more
    likely than the observed one, for all tables at once (padded to the widest support).
    """
    k_a, n_a = np.atleast_1d(k_a).astype(np.int64), np.atleast_1d(n_a).astype(np.int64)
    k_b, n_b = np.atleast_1d(k_b).astype(np.int64), np.atleast_1d(n_b).astype(np.int64)
    total, successes = n_a + n_b, k_a + k_b
    low = np.maximum(0, successes - n_b)
    width = np.minimum(n_a, successes) - low + 1
    p_values = np.ones(k_a.shape)
    order = np.argsort(width, kind="stable")
    start = 0
    while start < order.size:
        # Rows sorted by support width: each chunk pads only to its own widest row.
        stop = start + 1
        while stop < order.size and width[order[stop]] * (stop + 1 - start) <= _FISHER_CHUNK:
            stop += 1
        rows = order[start:stop]
        span = np.arange(int(width[rows].max()))
        x = low[rows, None] + span[None, :]
        valid = span[None, :] < width[rows, None]
        log_pmf = stats.hypergeom.logpmf(
            x, total[rows, None], successes[rows, None], n_a[rows, None]
        )
        observed = stats.hypergeom.logpmf(k_a[rows], total[rows], successes[rows], n_a[rows])
        keep = valid & (log_pmf <= observed[:, None] + np.log1p(_FISHER_TOLERANCE))
        p_values[rows] = np.minimum(1.0, np.where(keep, np.exp(log_pmf), 0.0).sum(axis=1))
        start = stop
    return p_values


def two_proportion(
    k_a: ArrayLike,
    n_a: ArrayLike,
    k_b: ArrayLike,
    n_b: ArrayLike,
    *,
    min_n: int = MIN_N,
    alpha: float = 0.05,
    confidence: float = CONFIDENCE,
    design_a: ArrayLike = 1.0,
    design_b: ArrayLike = 1.0,
) -> pl.DataFrame:
    """Return one row per pair: test, reason, statistic, p_value, effect (rate_b − rate_a), interval, mde.

    ``statistic`` is the pooled z for the z-test and the sample odds ratio for Fisher's test; p-value
    and statistic are null for ``insufficient data``. ``design_a`` and ``design_b`` (design effects,
    see ``spec_audit.stats.clustering``) divide each group's counts before the test, the interval
    and the mde (Rao–Scott effective counts, rounded for Fisher's test); the minimum-sample rule
    counts the turns given.
    """
    k_a, n_a = np.atleast_1d(k_a).astype(float), np.atleast_1d(n_a).astype(float)
    k_b, n_b = np.atleast_1d(k_b).astype(float), np.atleast_1d(n_b).astype(float)
    sufficient = (n_a >= min_n) & (n_b >= min_n)
    design_a = np.broadcast_to(np.asarray(design_a, dtype=float), k_a.shape)
    design_b = np.broadcast_to(np.asarray(design_b, dtype=float), k_b.shape)
    k_a, n_a, k_b, n_b = k_a / design_a, n_a / design_a, k_b / design_b, n_b / design_b
    total = n_a + n_b
    pooled = rate(k_a + k_b, total)
    p_a, p_b = rate(k_a, n_a), rate(k_b, n_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.minimum(np.minimum(n_a, n_b) * pooled, np.minimum(n_a, n_b) * (1 - pooled))
        se = np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
        z = (p_b - p_a) / se
        odds_ratio = (k_a * (n_b - k_b)) / ((n_a - k_a) * k_b)
    use_z = sufficient & (expected >= MIN_EXPECTED)
    use_fisher = sufficient & ~use_z
    p_value = np.full(k_a.shape, np.nan)
    p_value[use_z] = 2 * stats.norm.sf(np.abs(z[use_z]))
    if use_fisher.any():
        p_value[use_fisher] = fisher_exact_p(
            *(np.rint(c[use_fisher]) for c in (k_a, n_a, k_b, n_b))
        )
    low, high = newcombe(k_a, n_a, k_b, n_b, confidence)
    test = np.where(use_z, "z", np.where(use_fisher, "fisher", "none"))
    reason = np.where(
        use_z,
        f"every expected count ≥ {MIN_EXPECTED:g}: pooled two-proportion z-test",
        np.where(
            use_fisher,
            f"an expected count < {MIN_EXPECTED:g}: Fisher's exact test",
            f"{INSUFFICIENT}: fewer than {min_n} applicable turns in a group",
        ),
    )
    return pl.DataFrame(
        {
            "test": test,
            "test_reason": reason,
            "statistic": np.where(use_z, z, np.where(use_fisher, odds_ratio, np.nan)),
            "p_value": p_value,
            "effect": p_b - p_a,
            "effect_low": low,
            "effect_high": high,
            "mde": minimum_detectable_effect(p_a, n_a, n_b, alpha),
        },
        nan_to_null=True,
    )


def chi_square(
    table: ArrayLike,
    *,
    min_n: int = MIN_N,
    resamples: int = 999,
    seed: int = 0,
    confidence: float = CONFIDENCE,
) -> Comparison:
    """Return the chi-square test of homogeneity of a groups × categories count table.

    Rows are groups (A, B, ... ), columns categories (refusal styles, harm categories...). Empty
    categories are dropped; a group with fewer than ``min_n`` counts, or fewer than two groups or
    categories, is insufficient data.
    """
    observed = np.atleast_2d(np.asarray(table, dtype=float))
    n_rows = observed.sum(axis=1)
    n_a, n_b = int(n_rows[:1].sum()), int(n_rows[1:].sum())
    if observed.shape[0] < 2 or (n_rows < min_n).any():
        return _insufficient("cramers_v", n_a, n_b, min_n)
    observed = observed[:, observed.sum(axis=0) > 0]
    if observed.shape[1] < 2:
        return _insufficient(
            "cramers_v", n_a, n_b, min_n, "every group has the same single outcome"
        )
    total = observed.sum()
    expected = np.outer(n_rows, observed.sum(axis=0)) / total
    statistic = float(((observed - expected) ** 2 / expected).sum())
    rng = np.random.default_rng(seed)
    if (expected >= 1).all() and (expected < MIN_EXPECTED).mean() <= 0.2:
        dof = (observed.shape[0] - 1) * (observed.shape[1] - 1)
        p_value = float(stats.chi2.sf(statistic, dof))
        test, reason = "chi_square", "Cochran's rule holds: asymptotic chi-square"
    else:
        # Tables with the observed margins drawn at random (Patefield): the exact null, by Monte Carlo.
        null = stats.random_table(n_rows, observed.sum(axis=0)).rvs(
            size=resamples, random_state=rng
        )
        null_chi2 = ((null - expected) ** 2 / expected).sum(axis=(1, 2))
        p_value = float((1 + (null_chi2 >= statistic * (1 - 1e-12)).sum()) / (resamples + 1))
        test = "chi_square_monte_carlo"
        reason = "Cochran's rule fails (small expected counts): Monte Carlo p-value, fixed margins"
    # Cramér's V, and its interval from tables redrawn from each group's observed mix.
    scale = total * (min(observed.shape) - 1)
    draws = np.stack(
        [
            rng.multinomial(int(n), row / n, size=1000)
            for n, row in zip(n_rows, observed, strict=True)
        ],  # groups
        axis=1,
    ).astype(float)
    boot_expected = draws.sum(axis=2, keepdims=True) * draws.sum(axis=1, keepdims=True) / total
    with np.errstate(divide="ignore", invalid="ignore"):
        boot_chi2 = np.nansum((draws - boot_expected) ** 2 / boot_expected, axis=(1, 2))
    tail = (1 - confidence) / 2
    low, high = np.quantile(np.sqrt(boot_chi2 / scale), [tail, 1 - tail])
    return Comparison(
        test=test,
        reason=reason,
        statistic=statistic,
        p_value=p_value,
        effect_name="cramers_v",
        effect=float(np.sqrt(statistic / scale)),
        effect_low=float(low),
        effect_high=float(high),
        n_a=n_a,
        n_b=n_b,
    )


def mann_whitney(
    a: ArrayLike, b: ArrayLike, *, min_n: int = MIN_N, confidence: float = CONFIDENCE
) -> Comparison:
    """Return the Mann–Whitney U test of scores ``b`` against ``a``; effect P(B > A) + ½P(B = A)."""
    a, b = _finite(a), _finite(b)
    if a.size < min_n or b.size < min_n:
        return _insufficient("prob_superiority", a.size, b.size, min_n)
    result = stats.mannwhitneyu(b, a, alternative="two-sided")
    n_a, n_b = a.size, b.size
    auc = float(result.statistic) / (n_a * n_b)
    # Hanley & McNeil (1982) standard error of the area under the curve.
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = (auc * (1 - auc) + (n_b - 1) * (q1 - auc**2) + (n_a - 1) * (q2 - auc**2)) / (
        n_a * n_b
    )
    half = z_value(confidence) * np.sqrt(max(variance, 0.0))
    return Comparison(
        test="mann_whitney",
        reason="scores compared by rank: Mann–Whitney U (no distribution assumed)",
        statistic=float(result.statistic),
        p_value=float(result.pvalue),
        effect_name="prob_superiority",
        effect=auc,
        effect_low=max(0.0, auc - half),
        effect_high=min(1.0, auc + half),
        n_a=n_a,
        n_b=n_b,
    )


def ks(
    a: ArrayLike,
    b: ArrayLike,
    *,
    min_n: int = MIN_N,
    resamples: int = 300,
    seed: int = 0,
    confidence: float = CONFIDENCE,
) -> Comparison:
    """Return the two-sample Kolmogorov–Smirnov test of ``b`` against ``a``; effect the distance D."""
    a, b = _finite(a), _finite(b)
    if a.size < min_n or b.size < min_n:
        return _insufficient("ks_distance", a.size, b.size, min_n)
    result = stats.ks_2samp(b, a)
    rng = np.random.default_rng(seed)
    # Bootstrap replicates, not data rows: a few hundred calls of a vectorised statistic.
    distances = [
        stats.ks_2samp(rng.choice(b, b.size), rng.choice(a, a.size)).statistic
        for _ in range(resamples)
    ]
    tail = (1 - confidence) / 2
    low, high = np.quantile(distances, [tail, 1 - tail])
    ties = np.unique(np.concatenate([a, b])).size < a.size + b.size
    reason = "whole distributions compared: two-sample Kolmogorov–Smirnov" + (
        " (tied scores: p-value is conservative)" if ties else ""
    )
    return Comparison(
        test="ks",
        reason=reason,
        statistic=float(result.statistic),
        p_value=float(result.pvalue),
        effect_name="ks_distance",
        effect=float(result.statistic),
        effect_low=float(low),
        effect_high=float(high),
        n_a=a.size,
        n_b=b.size,
    )


def _finite(values: ArrayLike) -> NDArray[np.float64]:
    values = np.asarray(values, dtype=float).ravel()
    return values[np.isfinite(values)]


def _insufficient(effect_name: str, n_a: int, n_b: int, min_n: int, why: str = "") -> Comparison:
    nan = float("nan")
    return Comparison(
        test="none",
        reason=f"{INSUFFICIENT}: {why or f'fewer than {min_n} observations in a group'}",
        statistic=nan,
        p_value=nan,
        effect_name=effect_name,
        effect=nan,
        effect_low=nan,
        effect_high=nan,
        n_a=int(n_a),
        n_b=int(n_b),
    )
