"""Multiple comparisons: Benjamini–Hochberg q-values (the default) and Holm-adjusted p-values.

An audit runs one family of tests (every clause × model of one comparison kind); verdicts use the
adjusted values, never the raw p-values. Tests that were not run (NaN p-value: insufficient data)
are left out of the family and keep a NaN adjusted value.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

METHODS = ("bh", "holm")


def bh(p_values: ArrayLike) -> NDArray[np.float64]:
    """Return Benjamini–Hochberg q-values (the same as ``scipy.stats.false_discovery_control``)."""
    p = np.asarray(p_values, dtype=float)
    q = np.full(p.shape, np.nan)
    tested = np.flatnonzero(np.isfinite(p))
    if tested.size:
        order = tested[np.argsort(p[tested], kind="stable")]
        m = order.size
        scaled = p[order] * m / np.arange(1, m + 1)
        # Step-up: each q is the smallest scaled p at or above its rank.
        q[order] = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    return q


def holm(p_values: ArrayLike) -> NDArray[np.float64]:
    """Return Holm step-down adjusted p-values (family-wise error control)."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(p.shape, np.nan)
    tested = np.flatnonzero(np.isfinite(p))
    if tested.size:
        order = tested[np.argsort(p[tested], kind="stable")]
        m = order.size
        scaled = p[order] * (m - np.arange(m))
        adjusted[order] = np.minimum(1.0, np.maximum.accumulate(scaled))
    return adjusted


def adjust(p_values: ArrayLike, method: str = "bh") -> NDArray[np.float64]:
    """Return adjusted p-values by ``method`` ('bh' or 'holm')."""
    if method == "bh":
        return bh(p_values)
    if method == "holm":
        return holm(p_values)
    raise ValueError(
        f"unknown multiplicity method {method!r} (expected one of {', '.join(METHODS)})"
    )
