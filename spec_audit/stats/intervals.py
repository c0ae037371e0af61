"""Intervals for rates: the Wilson score interval and Newcombe's interval for a difference of rates.

Both agree with the SQL macros ``wilson_low`` / ``wilson_high`` (``spec_audit/sql/macros.sql``), so
a rate shown from ``clause_metrics`` and a rate computed here for a window have the same interval.
Everything takes numpy arrays (or scalars) and works element-wise over a family of rates.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import norm

#: Confidence level of every interval the product shows (the same as ``spec_audit.metrics``).
CONFIDENCE = 0.95


def z_value(confidence: float = CONFIDENCE) -> float:
    """Return the two-sided normal quantile for ``confidence`` (1.96 for 0.95)."""
    return float(norm.ppf(0.5 + confidence / 2))


def rate(k: ArrayLike, n: ArrayLike) -> NDArray[np.float64]:
    """Return k / n element-wise, NaN where n = 0."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)


def wilson(
    k: ArrayLike, n: ArrayLike, confidence: float = CONFIDENCE
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the (low, high) Wilson score interval of k successes in n trials; NaN where n = 0.

    >>> low, high = wilson(5, 50)
    >>> round(float(low), 4), round(float(high), 4)
    (0.0435, 0.2136)
    """
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    z = z_value(confidence)
    safe_n = np.where(n > 0, n, 1.0)
    p = k / safe_n
    centre = p + z * z / (2 * safe_n)
    spread = z * np.sqrt(np.clip(p * (1 - p) / safe_n + z * z / (4 * safe_n**2), 0, None))
    denominator = 1 + z * z / safe_n
    # Clipping only removes floating-point dust (e.g. -1e-18 at k = 0).
    low = np.clip((centre - spread) / denominator, 0, 1)
    high = np.clip((centre + spread) / denominator, 0, 1)
    return np.where(n > 0, low, np.nan), np.where(n > 0, high, np.nan)


def newcombe(
    k_a: ArrayLike,
    n_a: ArrayLike,
    k_b: ArrayLike,
    n_b: ArrayLike,
    confidence: float = CONFIDENCE,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the (low, high) interval of rate_b − rate_a by Newcombe's hybrid score method.

    It combines the two Wilson intervals (Newcombe 1998, method 10), so it stays inside [−1, 1]
    and behaves at rates near 0 where the Wald interval collapses.
    """
    p_a, p_b = rate(k_a, n_a), rate(k_b, n_b)
    low_a, high_a = wilson(k_a, n_a, confidence)
    low_b, high_b = wilson(k_b, n_b, confidence)
    difference = p_b - p_a
    low = difference - np.sqrt((p_b - low_b) ** 2 + (high_a - p_a) ** 2)
    high = difference + np.sqrt((high_b - p_b) ** 2 + (p_a - low_a) ** 2)
    return low, high
