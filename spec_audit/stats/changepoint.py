"""Change points: the first day of a sustained shift in a clause's daily violation rate.

Each clause × model is a daily series of (violations, applicable turns). The in-control rate p₀ is
estimated from the reference days (the baseline window) as (k + ½) / (n + 1). Two binomial
likelihood-ratio CUSUMs run over every day of the window, one designed for an increase to
p₀ + shift and one for a decrease to max(p₀ − shift, p₀ / 2):

    S_t = max(0, S_{t−1} + k_t·log(p₁/p₀) + (n_t − k_t)·log((1 − p₁)/(1 − p₀)))

Turns of one conversation are not independent (see ``spec_audit.stats.clustering``): each
series' counts are first divided by its design effect over the whole window (the Rao–Scott
effective counts), so violations that come in clumps are not read as a shift; a series whose turns
behave as independent (design effect 1) keeps its counts. The whole window, not the reference days
alone: a sparse series may have a violation or two in its reference days, each alone in its
conversation (design effect 1), and then a labeller's false positives two or three turns to a
conversation in its last days, clumps only the whole window sees. A real shift does not inflate
the estimate: residuals are centred within each day, so a day's higher rate moves only that day's
mean residual, and what remains (conversation sizes times the rate change) is outweighed by the
binomial variance at the pooled rate, which the shift raises too; a large shift lowers the design
effect a little, never raises it (tests/stats/test_clustering.py, benchmarks/STATS.md (f)).

Each series' CUSUM maxima are turned into p-values by simulation under the null conditional on the
series' total violations (its sufficient statistic when the rate does not change): the same total
is dealt out over the days at random, in proportion to their applicable turns (day by day, a
hypergeometric draw from what is left), and the CUSUMs are rerun on each simulated series with p₀
re-estimated from its reference days exactly as for the data. The null therefore does not depend
on the unknown in-control rate: a rate measured on a few reference violations (or none) is not
taken for the truth, as simulating at the estimated p₀ would. The p-value of an observed maximum
is the share of simulated maxima at least as large; beyond the simulated 90th percentile the tail
is taken as exponential (peaks over a threshold, mean excess fitted on the simulations), so
p-values far smaller than 1 / ``simulations`` stay ordered. The fitted tail extrapolates beyond
the simulations but never overrules them: a p-value is at least the share of simulated maxima
that reached the observed one. That matters for sparse series, whose null is discrete: with one
violation in all, the largest maximum possible (the violation on the quietest current day) is an
atom that a share of the simulations hit exactly, which an exponential tail would read as
vanishingly rare. The two directions are combined as
2·min(p_up, p_down). Verdicts use Benjamini–Hochberg q-values over the family (every clause × model
of the window): a change point is reported when q < ``false_alarm``, so the expected share of
reported change points in series that did not change is at most ``false_alarm`` (default 0.05).
Each threshold is the CUSUM value the series had to pass at the family's BH cut-off.

On a detection, the shift is the excursion that holds the CUSUM's peak (a blip that fell back to
zero is not sustained). Its estimated start day is the maximum-likelihood change day within that
excursion (one binomial rate before the day, another from it on, over the whole series): the day
after the CUSUM last stood at zero is only where the excursion began, which chance drift above
zero before a change pulls days early on sparse series. The alarm day is the first day of the
excursion above the threshold; the rates before and after the start day are reported. The
direction is the one with the smaller p-value.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import polars as pl
from numpy.typing import ArrayLike, NDArray
from scipy.special import xlogy

from spec_audit.spec.catalog import Catalog
from spec_audit.stats.clustering import conversation_sums, design_effects
from spec_audit.stats.compare import INSUFFICIENT, MIN_N
from spec_audit.stats.drift import sql
from spec_audit.stats.intervals import rate
from spec_audit.stats.multiplicity import bh
from spec_audit.stats.window import AuditWindow
from spec_audit.store import query

#: Rate change (absolute, in proportion points) each CUSUM is designed to detect fastest.
SHIFT = 0.02
#: False discovery rate over the family of series (every clause x model of the window).
FALSE_ALARM = 0.05
#: In-control series simulated per clause x model to build its null distribution.
SIMULATIONS = 2000
#: Share of the simulated maxima above the point where the exponential tail takes over.
TAIL = 0.10
#: Mean excess below which the simulated tail counts as flat (no spread to fit).
_FLAT = 1e-12
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


def null_maxima(
    n: NDArray[np.float64],
    total: NDArray[np.float64],
    reference: NDArray[np.bool_],
    *,
    shift: float = SHIFT,
    simulations: int = SIMULATIONS,
    rng: np.random.Generator,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the simulated in-control CUSUM maxima (up, down), each series × simulations, sorted.

    Each simulated series deals the series' ``total`` violations over its days at random, each day
    drawing from what is left in proportion to its applicable turns ``n`` (the null distribution
    given the total; counts are rounded to whole turns).
    """
    series, days = n.shape
    n = np.rint(n).astype(np.int64)
    total = np.minimum(np.rint(total).astype(np.int64), n.sum(axis=1))
    up, down = np.empty((series, simulations)), np.empty((series, simulations))
    block = max(1, _CHUNK_CELLS // (simulations * max(days, 1)))
    for start in range(0, series, block):
        rows = slice(start, start + block)
        volumes = np.broadcast_to(n[rows, None, :], (n[rows].shape[0], simulations, days))
        k_sim = np.zeros(volumes.shape)
        left = np.broadcast_to(total[rows, None], volumes.shape[:2]).copy()
        turns_left = volumes.sum(axis=-1)
        # Day by day (a few dozen), vectorised over every series and simulation.
        for day in range(days):
            drawn = rng.hypergeometric(left, turns_left - left, volumes[..., day])
            k_sim[..., day] = drawn
            left -= drawn
            turns_left -= volumes[..., day]
        volumes = volumes.astype(float)
        p0_sim = reference_rate(k_sim, volumes, reference)
        p_up, p_down = design(p0_sim, shift)
        up[rows] = cusum(k_sim, volumes, p0_sim, p_up).max(axis=-1)
        down[rows] = cusum(k_sim, volumes, p0_sim, p_down).max(axis=-1)
    return np.sort(up, axis=1), np.sort(down, axis=1)


def _tail_model(null: NDArray[np.float64]) -> tuple[NDArray, NDArray, float]:
    """Return per series the tail start u, the mean excess over u, and the tail share."""
    simulations = null.shape[1]
    above = max(1, round(TAIL * simulations))
    u = null[:, simulations - above - 1]
    excess = np.maximum((null[:, simulations - above :] - u[:, None]).mean(axis=1), _FLAT)
    return u, excess, above / simulations


def tail_p(observed: ArrayLike, null: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return P(simulated maximum ≥ observed) per series (rows of sorted ``null``).

    Up to the tail start it is the empirical share (with the observation counted, as in a Monte
    Carlo test); beyond it, tail share × exp(−(observed − u) / mean excess), but never less than
    the share of simulations at least as large (without the observation), so the tail extrapolates
    beyond the simulations and does not overrule them (an atom of a discrete null that simulations
    hit keeps its probability). A null with no spread above u (a sparse series whose simulated
    maxima take few values) has no tail to fit: there the empirical share holds throughout, so an
    observation beyond every simulation gets 1 / (simulations + 1), not a vanishing tail.
    """
    observed = np.asarray(observed, dtype=float)
    simulations = null.shape[1]
    at_least = (null >= observed[:, None]).sum(axis=1)
    empirical = (at_least + 1) / (simulations + 1)
    u, excess, share = _tail_model(null)
    with np.errstate(over="ignore"):
        tail = np.maximum(share * np.exp(-(observed - u) / excess), at_least / (simulations + 1))
    fitted = (observed > u) & (excess > _FLAT)
    return np.minimum(1.0, np.where(fitted, tail, empirical))


def tail_quantile(p: float, null: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return per series the maximum whose ``tail_p`` is ``p`` (the threshold at level p): on the
    fitted tail, and beyond every simulated maximum but the p·(simulations + 1) largest."""
    u, excess, share = _tail_model(null)
    if p >= share:
        return np.quantile(null, 1 - p, axis=1)
    simulations = null.shape[1]
    allowed = int(np.floor(p * (simulations + 1)))
    return np.maximum(u + excess * np.log(share / p), null[:, simulations - allowed - 1])


def _log_likelihood(k: NDArray[np.float64], n: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return the binomial log-likelihood of k of n at their own rate k / n (0 for no turns)."""
    p = np.divide(k, n, out=np.zeros_like(k), where=n > 0)
    return xlogy(k, p) + xlogy(n - k, 1 - p)


def likeliest_start(
    k: NDArray[np.float64],
    n: NDArray[np.float64],
    first: ArrayLike,
    last: ArrayLike,
    direction: ArrayLike = 0,
) -> NDArray[np.int64]:
    """Return per series (rows) the day in [first, last] that maximises the likelihood of one rate
    before it and another from it on.

    ``direction`` (per series or one for all): 1 keeps only the days where the rate from the day
    on is above the rate before it (a rise), -1 only those where it is below (a fall), 0 any day.
    A series with no such day gets -1.
    """
    k_before = np.cumsum(k, axis=1) - k
    n_before = np.cumsum(n, axis=1) - n
    k_after = k.sum(axis=1, keepdims=True) - k_before
    n_after = n.sum(axis=1, keepdims=True) - n_before
    fit = _log_likelihood(k_before, n_before) + _log_likelihood(k_after, n_after)
    first, last, sign = (
        np.broadcast_to(np.asarray(value), (k.shape[0],)) for value in (first, last, direction)
    )
    day = np.arange(k.shape[1])
    inside = (day >= first[:, None]) & (day <= last[:, None])
    # Compare rates without dividing: k_after / n_after vs k_before / n_before.
    rise = np.sign(k_after * n_before - k_before * n_after)
    inside &= (sign[:, None] == 0) | (rise == sign[:, None])
    fit = np.where(inside, fit, -np.inf)
    return np.where(inside.any(axis=1), fit.argmax(axis=1), -1)


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
    design_effect: ArrayLike | None = None,
) -> pl.DataFrame:
    """Return one row per series (rows of the series × days arrays) with its change point, if any.

    The rows are one family: q-values are Benjamini–Hochberg over the sufficient series, and a
    change point is reported where q < ``false_alarm``. Columns: reference_rate, threshold_up,
    threshold_down, p_value, q_value, direction ('up'/'down'/null), alarm_index and start_index
    (day positions, null without a change point), rate_before, rate_after, verdict ('shift up',
    'shift down', 'no change', 'insufficient data'). A series with fewer than ``min_n``
    applicable turns in its reference days, or none after them, is insufficient data.
    ``design_effect`` (per series, default 1) divides the counts before the CUSUMs run
    (``spec_audit.stats.clustering``; ``change_points`` estimates it over the whole window); the
    reported rates are those of the counts given.
    """
    k_given = np.atleast_2d(np.asarray(violations, dtype=float))
    n_given = np.atleast_2d(np.asarray(applicable, dtype=float))
    reference = np.asarray(reference, dtype=bool)
    series, days = k_given.shape
    sufficient = (np.where(reference, n_given, 0).sum(axis=1) >= min_n) & (
        np.where(~reference, n_given, 0).sum(axis=1) > 0
    )
    effect = np.ones(series) if design_effect is None else np.asarray(design_effect, dtype=float)
    # Effective turns per day in whole turns (at least one on a day with any), as the simulated
    # null deals them; each day keeps its rate, so a series with no violations (or only
    # violations) has exactly the CUSUMs of its simulations.
    n = np.where(n_given > 0, np.maximum(np.rint(n_given / effect[:, None]), 1), 0)
    k = k_given * np.divide(n, n_given, out=np.zeros_like(n), where=n_given > 0)
    p0 = reference_rate(k, n, reference)
    p_up, p_down = design(p0, shift)
    paths = {"up": cusum(k, n, p0, p_up), "down": cusum(k, n, p0, p_down)}
    h = {"up": np.full(series, np.nan), "down": np.full(series, np.nan)}
    p_dir = {"up": np.ones(series), "down": np.ones(series)}
    if sufficient.any():
        up, down = null_maxima(
            n[sufficient], k[sufficient].sum(axis=1), reference,
            shift=shift, simulations=simulations, rng=np.random.default_rng(seed),
        )  # fmt: skip
        nulls = {"up": up, "down": down}
        for direction, null in nulls.items():
            p_dir[direction][sufficient] = tail_p(paths[direction][sufficient].max(1), null)
    p_value = np.where(
        sufficient, np.minimum(1.0, 2 * np.minimum(p_dir["up"], p_dir["down"])), np.nan
    )
    q_value = bh(p_value)
    detected = sufficient & (q_value < false_alarm)
    if sufficient.any():
        # BH rejects every p at or below the largest p_(i) ≤ i·q/m; with no rejection the
        # smallest p could have been rejected at q/m. Each direction gets half of that level.
        tested = np.sort(p_value[sufficient])
        m = tested.size
        passing = tested[tested <= np.arange(1, m + 1) * false_alarm / m]
        cut = passing.max() if passing.size else false_alarm / m
        for direction, null in nulls.items():
            h[direction][sufficient] = tail_quantile(cut / 2, null)
    is_up = detected & (p_dir["up"] <= p_dir["down"])
    path = np.where(is_up[:, None], paths["up"], paths["down"])
    threshold = np.where(is_up, h["up"], h["down"])
    day_index = np.arange(days)
    # The shift is the excursion holding the CUSUM's peak: an earlier blip that fell back to zero
    # is not sustained. It starts on its likeliest change day, and was flagged the first day of
    # that excursion above the threshold (the peak when the simulated threshold and the tail fit
    # disagree by a hair).
    peak = path.argmax(axis=1)
    zero_before = (path <= 0) & (day_index[None, :] < peak[:, None])
    last_zero = np.where(
        zero_before.any(axis=1), days - 1 - zero_before[:, ::-1].argmax(axis=1), -1
    )
    crossed = (path >= threshold[:, None]) & (day_index[None, :] > last_zero[:, None])
    alarm = np.where(crossed.any(axis=1), crossed.argmax(axis=1), peak)
    start = likeliest_start(k, n, last_zero + 1, peak)
    before = day_index[None, :] < start[:, None]
    return pl.DataFrame(
        {
            "reference_rate": np.where(sufficient, p0, np.nan),
            "threshold_up": h["up"],
            "threshold_down": h["down"],
            "p_value": p_value,
            "q_value": q_value,
            "direction": np.where(detected, np.where(is_up, "up", "down"), ""),
            "alarm_index": np.where(detected, alarm, -1),
            "start_index": np.where(detected, start, -1),
            "rate_before": np.where(
                detected,
                rate(np.where(before, k_given, 0).sum(1), np.where(before, n_given, 0).sum(1)),
                np.nan,
            ),
            "rate_after": np.where(
                detected,
                rate(np.where(before, 0, k_given).sum(1), np.where(before, 0, n_given).sum(1)),
                np.nan,
            ),
            "design_effect": effect,
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
    """Return the ``change_points`` rows: one per testable clause × model seen in the window, each
    tested on its counts divided by its design effect over the whole window.

    ``likeliest_rise_day`` and ``likeliest_fall_day`` are every series' likeliest day of a single
    rise and of a single fall over the window (``likeliest_start``), whether or not the CUSUM found
    a shift: ``date_drift`` dates a drift test's regression (improvement) by them when the CUSUM
    did not confirm it.
    """
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
    sums = conversation_sums(con, catalog, window.start, window.end)
    effects = series.join(
        design_effects(sums, ["clause_id", "model"]), on=["clause_id", "model"], how="left"
    )["design_effect"].fill_null(1.0)
    found = dated_detect(
        k, n, reference, window.start,
        shift=shift, false_alarm=false_alarm, min_n=min_n, simulations=simulations, seed=seed,
        design_effect=effects.to_numpy(),
    )  # fmt: skip
    return (
        pl.concat([series, found], how="horizontal")
        .join(clauses, on="clause_id")
        .with_columns(
            spec_id=pl.lit(catalog.spec_id),
            spec_version=pl.lit(catalog.version),
            window_start=pl.lit(window.start),
            window_end=pl.lit(window.end),
            reference_start=pl.lit(window.baseline_start),
            reference_end=pl.lit(window.baseline_end),
            shift=pl.lit(shift),
            false_alarm=pl.lit(false_alarm),
        )
    )


def dated_detect(
    violations: ArrayLike,
    applicable: ArrayLike,
    reference: ArrayLike,
    first_day: dt.date,
    **options: object,
) -> pl.DataFrame:
    """Return ``detect``'s rows (``options`` as its keywords) with their day positions as dates
    counted from ``first_day`` (``alarm_day``, ``start_day``), and every series' likeliest day of a
    single rise and of a single fall over the days (``LIKELIEST``, by ``likeliest_start``; null
    where the series has none), whether or not a shift was found."""
    k = np.atleast_2d(np.asarray(violations, dtype=float))
    n = np.atleast_2d(np.asarray(applicable, dtype=float))
    found = detect(k, n, reference, **options).with_columns(
        pl.Series(f"likeliest_{name}_index", likeliest_start(k, n, 1, k.shape[1] - 1, sign))
        for name, sign in (("rise", 1), ("fall", -1))
    )
    names = ("alarm", "start", "likeliest_rise", "likeliest_fall")
    return found.with_columns(
        pl.when(pl.col(f"{name}_index") >= 0)
        .then(pl.lit(first_day) + pl.duration(days=pl.col(f"{name}_index")))
        .alias(f"{name}_day")
        for name in names
    ).drop(f"{name}_index" for name in names)


#: ``change_points`` columns: the likeliest day of a single rise and of a single fall.
LIKELIEST = ("likeliest_rise_day", "likeliest_fall_day")


def date_drift(drift: pl.DataFrame, changes: pl.DataFrame) -> pl.DataFrame:
    """Return ``drift`` with ``start_day`` and ``dated_by``: since when each window regression (or
    improvement) holds.

    A window test's verdict says the current days differ from the baseline days. Its start day is
    the change point the CUSUM found on the same clause × model in the same direction (dated_by
    'change point'); failing that, the likeliest day of a single rise (regressed) or fall
    (improved) over the whole window (``likeliest_rise_day``/``likeliest_fall_day`` of
    ``changes``; dated_by 'likeliest day'): the maximum-likelihood change day, which needs no
    test of its own once the drift test has established the change at the family's false
    discovery rate. The CUSUM's own test has less power for a change late in the window (it looks
    for a shift on any day, the drift test knows where the current days start). ``changes`` needs
    clause_id, model, direction, start_day and ``LIKELIEST`` (a ``change_points`` frame or the
    table's rows of the window). Model comparisons and rows without a change have neither.
    """
    keyed = changes.select(
        "clause_id", "direction", "start_day", *LIKELIEST, model_b=pl.col("model")
    )
    joined = drift.join(keyed, on=["clause_id", "model_b"], how="left", maintain_order="left")
    window = pl.col("comparison") == "window"
    up = window & (pl.col("verdict") == "regressed")
    down = window & (pl.col("verdict") == "improved")
    confirmed = (up & (pl.col("direction") == "up")) | (down & (pl.col("direction") == "down"))
    start = (
        pl.when(confirmed)
        .then(pl.col("start_day"))
        .when(up)
        .then(pl.col("likeliest_rise_day"))
        .when(down)
        .then(pl.col("likeliest_fall_day"))
    )
    return joined.with_columns(
        start_day=start,
        dated_by=pl.when(confirmed)
        .then(pl.lit("change point"))
        .when(start.is_not_null())
        .then(pl.lit("likeliest day")),
    ).drop("direction", *LIKELIEST)
