"""Error-corrected prevalence: the Rogan–Gladen rate from a labeller's sensitivity and specificity.

A labeller that misses violations (sensitivity < 1) or flags compliant turns (specificity < 1)
reports apparent rate a = π·se + (1 − π)(1 − sp). Rogan & Gladen (1978) invert it:
π = (a + sp − 1) / (se + sp − 1), clipped to [0, 1]. The interval is a parametric bootstrap that
carries all three uncertainties: the apparent rate (k of n turns), the sensitivity (measured on
n_pos labelled violations) and the specificity (on n_neg labelled compliant turns) are each redrawn
from their Jeffreys Beta(x + ½, n − x + ½) distribution, the corrected rate is recomputed and
clipped, and the percentile interval is reported. Vectorised over many rates at once.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from spec_audit.stats.intervals import CONFIDENCE

#: Bootstrap draws per corrected rate.
DRAWS = 4000
NOT_MEASURED = "not corrected: accuracy not measured"
UNINFORMATIVE = "not corrected: sensitivity + specificity ≤ 1 (labeller no better than chance)"
CORRECTED = "Rogan–Gladen corrected; interval carries sampling and labeller-accuracy error"


def rogan_gladen(
    apparent: ArrayLike, sensitivity: ArrayLike, specificity: ArrayLike
) -> NDArray[np.float64]:
    """Return the corrected prevalence (a + sp − 1) / (se + sp − 1), clipped to [0, 1].

    >>> round(float(rogan_gladen(0.14, 0.8, 0.95)), 6)
    0.12
    """
    apparent = np.asarray(apparent, dtype=float)
    youden = np.asarray(sensitivity, dtype=float) + np.asarray(specificity, dtype=float) - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        corrected = (apparent + np.asarray(specificity, dtype=float) - 1) / youden
    return np.where(youden > 0, np.clip(corrected, 0, 1), np.nan)


def corrected_prevalence(
    k: ArrayLike,
    n: ArrayLike,
    sensitivity: ArrayLike,
    specificity: ArrayLike,
    n_pos: ArrayLike,
    n_neg: ArrayLike,
    *,
    draws: int = DRAWS,
    seed: int = 0,
    confidence: float = CONFIDENCE,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Return (estimate, low, high) of the corrected prevalence of k violations flagged in n turns.

    NaN wherever n = 0, the accuracy counts are missing, or se + sp ≤ 1 (no correction possible).
    """
    k, n = np.atleast_1d(k).astype(float), np.atleast_1d(n).astype(float)
    se, sp = np.atleast_1d(sensitivity).astype(float), np.atleast_1d(specificity).astype(float)
    n_pos, n_neg = np.atleast_1d(n_pos).astype(float), np.atleast_1d(n_neg).astype(float)
    k, n, se, sp, n_pos, n_neg = np.broadcast_arrays(k, n, se, sp, n_pos, n_neg)
    usable = (n > 0) & (n_pos > 0) & (n_neg > 0) & np.isfinite(se) & np.isfinite(sp)
    usable &= se + sp > 1
    estimate = np.where(usable, rogan_gladen(k / np.where(n > 0, n, 1), se, sp), np.nan)
    low, high = np.full(k.shape, np.nan), np.full(k.shape, np.nan)
    if usable.any():
        rng = np.random.default_rng(seed)
        shape = (int(usable.sum()), draws)

        def redraw(successes: NDArray[np.float64], trials: NDArray[np.float64]):
            successes, trials = successes[usable, None], trials[usable, None]
            return rng.beta(successes + 0.5, trials - successes + 0.5, size=shape)

        boot = rogan_gladen(
            redraw(k, n), redraw(np.round(se * n_pos), n_pos), redraw(np.round(sp * n_neg), n_neg)
        )
        # A draw with se + sp ≤ 1 has no corrected rate; it is dropped from the percentiles.
        tail = (1 - confidence) / 2
        low[usable], high[usable] = np.nanquantile(boot, [tail, 1 - tail], axis=1)
    return estimate, low, high
