"""Change points: the first day of a sustained shift in a clause's daily violation rate.

Each clause × model is a daily series of (violations, applicable turns). The in-control rate p₀ is
estimated from the reference days (the baseline window) as (k + ½) / (n + 1). Two binomial
likelihood-ratio CUSUMs run over every day of the window, one designed for an increase to
p₀ + shift and one for a decrease to max(p₀ − shift, p₀ / 2):

    S_t = max(0, S_{t−1} + k_t·log(p₁/p₀) + (n_t − k_t)·log((1 − p₁)/(1 − p₀)))

The alarm thresholds are calibrated per series by simulation: in-control series with the same
daily volumes are drawn at p₀, p₀ is re-estimated from their reference days exactly as for the
data (so estimation error is part of the calibration), and each threshold is the (1 − α/2)
quantile of the simulated maximum of its CUSUM. The probability of any alarm over the window when
nothing changed is therefore at most the stated ``false_alarm`` (α, default 0.05). On an alarm,
the shift is the excursion that holds the CUSUM's peak (a blip that fell back to zero is not
sustained): its estimated start day is the day after the CUSUM was last zero before the peak, its
alarm day the first day of that excursion above the threshold, and the rates before and after the
start day are reported; when both CUSUMs cross, the one that went furthest past its
threshold (relative to it) gives the direction.
"""

from __future__ import annotations

import duckdb
import numpy as np
import polars as pl
from numpy.typing import ArrayLike, NDArray

from spec_audit.spec.catalog import Catalog
from spec_audit.stats.compare import INSUFFICIENT, MIN_N
from spec_audit.stats.drift import sql
from spec_audit.stats.intervals import rate
from spec_audit.stats.window import AuditWindow
from spec_audit.store import query

#: Rate change (absolute, in proportion points) each CUSUM is designed to detect fastest.
SHIFT = 0.02
#: Probability of any false alarm over the whole window for a series that did not change.
FALSE_ALARM = 0.05
#: In-control series simulated per clause x model to calibrate the thresholds.
SIMULATIONS = 2000
#: Upper bound on simulated cells (series x simulations x days) held in memory at once.
_CHUNK_CELLS = 20_000_000


def reference_rate(k: NDArray[np.float64], n: NDArray[np.float64], reference: NDArray[np.bool_]):
    """Return the in-control rate (k + ½) / (n + 1) over the reference days (last axis)."""
    return (np.where(reference, k, 0).sum(axis=-1) + 0.5) / (
        np.where(reference, n, 0).sum(axis=-1) + 1
    )


def design(p0: NDArray[np.float64], shift: float) -> tuple[NDArray, NDArray]:
    """Return the (up, down) out-of-control rates the two CUSUMs are tuned to."""
    return np.minimum(p0 + shift, 1 - 1e-6), np.maximum(p0 - shift, p0 / 2)


def cusum(k: ArrayLike, n: ArrayLike, p0: ArrayLike, p1: ArrayLike) -> NDArray[np.float64]:
    """Return the CUSUM path S_t (last axis = days) of the binomial log-likelihood ratio p₁ vs p₀."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    p0, p1 = np.asarray(p0, dtype=float)[..., None], np.asarray(p1, dtype=float)[..., None]
    steps = k * np.log(p1 / p0) + (n - k) * np.log((1 - p1) / (1 - p0))
    path = np.empty_like(steps)
    level = np.zeros(steps.shape[:-1])
    # The recursion runs over days (a few dozen), vectorised over every series and simulation.
    for day in range(steps.shape[-1]):
        level = np.maximum(0.0, level + steps[..., day])
        path[..., day] = level
    return path


def thresholds(
    n: NDArray[np.float64],
    p0: NDArray[np.float64],
    reference: NDArray[np.bool_],
    *,
    shift: float = SHIFT,
    false_alarm: float = FALSE_ALARM,
    simulations: int = SIMULATIONS,
    rng: np.random.Generator,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return per-series (up, down) thresholds giving ``false_alarm`` over the window in control."""
    series, days = n.shape
    up, down = np.empty(series), np.empty(series)
    block = max(1, _CHUNK_CELLS // (simulations * max(days, 1)))
    for start in range(0, series, block):
        rows = slice(start, start + block)
        volumes = np.broadcast_to(n[rows, None, :], (n[rows].shape[0], simulations, days))
        k_sim = rng.binomial(volumes.astype(np.int64), p0[rows, None, None]).astype(float)
        p0_sim = reference_rate(k_sim, volumes, reference)
        p_up, p_down = design(p0_sim, shift)
        quantile = 1 - false_alarm / 2
        up[rows] = np.quantile(cusum(k_sim, volumes, p0_sim, p_up).max(axis=-1), quantile, axis=1)
        down[rows] = np.quantile(
            cusum(k_sim, volumes, p0_sim, p_down).max(axis=-1), quantile, axis=1
        )
    return up, down


def detect(
    violations: ArrayLike,
    applicable: ArrayLike,
    reference: ArrayLike,
    *,
    shift: float = SHIFT,
    false_alarm: float = FALSE_ALARM,
    min_n: int = MIN_N,
    simulations: int = SIMULATIONS,
    seed: int = 0,
) -> pl.DataFrame:
    """Return one row per series (rows of the series × days arrays) with its change point, if any.

    Columns: reference_rate, threshold_up, threshold_down, direction ('up'/'down'/null),
    alarm_index and start_index (day positions, null without an alarm), rate_before, rate_after,
    verdict ('shift up', 'shift down', 'no change', 'insufficient data'). A series with fewer than
    ``min_n`` applicable turns in its reference days, or none after them, is insufficient data.
    """
    k = np.atleast_2d(np.asarray(violations, dtype=float))
    n = np.atleast_2d(np.asarray(applicable, dtype=float))
    reference = np.asarray(reference, dtype=bool)
    series, days = k.shape
    sufficient = (np.where(reference, n, 0).sum(axis=1) >= min_n) & (
        np.where(~reference, n, 0).sum(axis=1) > 0
    )
    p0 = reference_rate(k, n, reference)
    h_up, h_down = np.full(series, np.nan), np.full(series, np.nan)
    if sufficient.any():
        rng = np.random.default_rng(seed)
        h_up[sufficient], h_down[sufficient] = thresholds(
            n[sufficient], p0[sufficient], reference,
            shift=shift, false_alarm=false_alarm, simulations=simulations, rng=rng,
        )  # fmt: skip
    p_up, p_down = design(p0, shift)
    day_index = np.arange(days)
    results = {}
    for direction, p1, h in (("up", p_up, h_up), ("down", p_down, h_down)):
        path = cusum(k, n, p0, p1)
        # The shift is the excursion holding the CUSUM's peak: an earlier blip that fell back to
        # zero is not sustained. It began the day after the path last stood at zero before the
        # peak, and was flagged the first day of that excursion above the threshold.
        peak = path.argmax(axis=1)
        detected = (path.max(axis=1) > h) & sufficient
        zero_before = (path <= 0) & (day_index[None, :] < peak[:, None])
        last_zero = np.where(
            zero_before.any(axis=1), days - 1 - zero_before[:, ::-1].argmax(axis=1), -1
        )
        crossed = (path > h[:, None]) & (day_index[None, :] > last_zero[:, None])
        alarm = np.where(detected, crossed.argmax(axis=1), days)
        with np.errstate(divide="ignore", invalid="ignore"):
            strength = np.where(alarm < days, path.max(axis=1) / h, 0.0)
        results[direction] = (alarm, last_zero + 1, strength)
    up_alarm, up_start, up_strength = results["up"]
    down_alarm, down_start, down_strength = results["down"]
    detected = np.minimum(up_alarm, down_alarm) < days
    # When both CUSUMs cross, the one that went furthest past its threshold names the shift.
    is_up = detected & (up_strength >= down_strength)
    alarm = np.where(is_up, up_alarm, down_alarm)
    start = np.where(is_up, up_start, down_start)
    before = day_index[None, :] < start[:, None]
    return pl.DataFrame(
        {
            "reference_rate": np.where(sufficient, p0, np.nan),
            "threshold_up": h_up,
            "threshold_down": h_down,
            "direction": np.where(detected, np.where(is_up, "up", "down"), ""),
            "alarm_index": np.where(detected, alarm, -1),
            "start_index": np.where(detected, start, -1),
            "rate_before": np.where(
                detected, rate(np.where(before, k, 0).sum(1), np.where(before, n, 0).sum(1)), np.nan
            ),
            "rate_after": np.where(
                detected, rate(np.where(before, 0, k).sum(1), np.where(before, 0, n).sum(1)), np.nan
            ),
            "verdict": np.where(
                ~sufficient,
                INSUFFICIENT,
                np.where(detected, np.where(is_up, "shift up", "shift down"), "no change"),
            ),
        },
        nan_to_null=True,
    ).with_columns(
        *(
            pl.when(pl.col("alarm_index") >= 0).then(pl.col(c)).alias(c)
            for c in ("alarm_index", "start_index")
        ),
        direction=pl.when(pl.col("direction") != "").then(pl.col("direction")),
    )


def change_points(
    con: duckdb.DuckDBPyConnection,
    catalog: Catalog,
    window: AuditWindow,
    *,
    shift: float = SHIFT,
    false_alarm: float = FALSE_ALARM,
    min_n: int = MIN_N,
    simulations: int = SIMULATIONS,
    seed: int = 0,
) -> pl.DataFrame:
    """Return the ``change_points`` rows: one per testable clause × model seen in the window."""
    daily = query(
        con,
        sql("daily_counts"),
        {
            "spec_id": catalog.spec_id,
            "spec_version": catalog.version,
            "from": window.start,
            "to": window.end,
        },
    )
    clauses = pl.DataFrame(
        {
            "clause_id": [c.id for c in catalog.testable],
            "layer": [c.layer for c in catalog.testable],
            "kind": [c.kind for c in catalog.testable],
        },
        schema={"clause_id": pl.String, "layer": pl.String, "kind": pl.String},
    )
    daily = daily.join(clauses.select("clause_id"), on="clause_id", how="semi")
    series = daily.select("clause_id", "model").unique().sort("clause_id", "model")
    days = window.days
    k = np.zeros((series.height, len(days)))
    n = np.zeros((series.height, len(days)))
    # Scatter the long (clause, model, day) rows into series x days arrays; absent days are 0 of 0.
    located = daily.join(series.with_row_index("row"), on=["clause_id", "model"]).with_columns(
        column=(pl.col("day") - pl.lit(window.start)).dt.total_days()
    )
    rows, columns = located["row"].to_numpy(), located["column"].to_numpy()
    k[rows, columns] = located["violations"].to_numpy()
    n[rows, columns] = located["applicable"].to_numpy()
    reference = np.array([window.baseline_start <= d <= window.baseline_end for d in days])
    found = detect(
        k, n, reference,
        shift=shift, false_alarm=false_alarm, min_n=min_n, simulations=simulations, seed=seed,
    )  # fmt: skip
    return (
        pl.concat([series, found], how="horizontal")
        .join(clauses, on="clause_id")
        .with_columns(
            alarm_day=pl.lit(window.start) + pl.duration(days=pl.col("alarm_index")),
            start_day=pl.lit(window.start) + pl.duration(days=pl.col("start_index")),
            spec_id=pl.lit(catalog.spec_id),
            spec_version=pl.lit(catalog.version),
            window_start=pl.lit(window.start),
            window_end=pl.lit(window.end),
            reference_start=pl.lit(window.baseline_start),
            reference_end=pl.lit(window.baseline_end),
            shift=pl.lit(shift),
            false_alarm=pl.lit(false_alarm),
        )
        .drop("alarm_index", "start_index")
    )
