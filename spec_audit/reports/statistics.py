"""The statistics a report states, computed for its own period and models from the snapshot.

The report does not reuse the stored ``drift_tests`` rows, because those belong to the audit's
window, not to the report's period and model selection. It recomputes the same tests with the
same functions (``spec_audit.stats``), read-only, with a fixed seed, so the numbers are reproducible:

- a period longer than ``current_days`` (default 7) is split like ``spec-audit run`` splits its
  window: the last ``current_days`` are compared with the earlier days of the period;
- a shorter period (a weekly report) is compared as a whole with the ``baseline_days`` (default 21)
  before it, so a weekly report says whether this week differs from the three weeks before.

Model-vs-model tests and disparity tests use the current days. With a ``--model`` selection only
the selected models are tested, so the Benjamini–Hochberg family is the report's own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from spec_audit.spec.catalog import Catalog
from spec_audit.stats import AuditWindow, audit_window
from spec_audit.stats.changepoint import FALSE_ALARM, SHIFT, change_points, date_drift
from spec_audit.stats.compare import MIN_N
from spec_audit.stats.disparity import disparity_counts, disparity_tests
from spec_audit.stats.drift import ALPHA, correct, drift_pairs, measured_accuracy, test_family
from spec_audit.stats.window import CURRENT_DAYS

#: Days before a short period that its current days are compared with.
BASELINE_DAYS = 21
#: Seed of every simulation and bootstrap a report runs: the same inputs give the same numbers.
SEED = 0
ADJUSTMENT = "bh"
#: The statistical settings a report states in its method section and manifest.
PARAMETERS = {
    "adjustment": ADJUSTMENT,
    "alpha": ALPHA,
    "baseline_days": BASELINE_DAYS,
    "change_point_false_alarm": FALSE_ALARM,
    "change_point_shift": SHIFT,
    "current_days": CURRENT_DAYS,
    "min_n": MIN_N,
    "seed": SEED,
}


@dataclass(frozen=True)
class ReportStatistics:
    """The drift, change-point and disparity rows of a report, and the window they were run on."""

    window: AuditWindow
    drift: pl.DataFrame
    change_points: pl.DataFrame
    disparity: pl.DataFrame
    accuracy: pl.DataFrame  # clause_id, sensitivity, specificity, n_pos, n_neg


def report_window(
    start: dt.date,
    end: dt.date,
    *,
    current_days: int = CURRENT_DAYS,
    baseline_days: int = BASELINE_DAYS,
) -> AuditWindow:
    """Return the window a report on [start, end] tests: its current days and its baseline days.

    >>> w = report_window(dt.date(2026, 10, 19), dt.date(2026, 10, 25))
    >>> (w.baseline_start, w.baseline_end, w.current_start, w.end)
    (datetime.date(2026, 9, 28), datetime.date(2026, 10, 18), datetime.date(2026, 10, 19), datetime.date(2026, 10, 25))
    """
    days = (end - start).days + 1
    if days > current_days:
        return audit_window(start, end, current_days=current_days)
    before = start - dt.timedelta(days=1)
    return audit_window(
        start - dt.timedelta(days=baseline_days),
        end,
        current_days=days,
        baseline=(start - dt.timedelta(days=baseline_days), before),
    )


def report_statistics(
    con: duckdb.DuckDBPyConnection,
    catalog: Catalog,
    window: AuditWindow,
    models: Sequence[str],
    *,
    alpha: float = ALPHA,
    min_n: int = MIN_N,
) -> ReportStatistics:
    """Return the report's statistics over ``window`` for ``models`` (empty = every model)."""
    selected = pl.lit(True)
    if models:
        wanted = pl.Series(list(models), dtype=pl.String).implode()
        selected = pl.col("model_a").is_in(wanted) & pl.col("model_b").is_in(wanted)
    pairs = drift_pairs(con, catalog, window).filter(selected)
    accuracy = measured_accuracy(con, catalog)
    drift = correct(
        test_family(pairs, alpha=alpha, min_n=min_n, adjustment=ADJUSTMENT), accuracy, seed=SEED
    ).sort("comparison", "clause_id", "model_a", "model_b")
    changes = change_points(con, catalog, window, min_n=min_n, seed=SEED)
    if models:
        changes = changes.filter(pl.col("model").is_in(list(models)))
    drift = date_drift(drift, changes)
    counts = disparity_counts(con, window)
    if models:
        # The pooled rows ('*') must pool the selected models only, so they are rebuilt.
        counts = counts.filter(pl.col("model").is_in(list(models)))
        pooled = counts.group_by("outcome", "group").agg(pl.col("n").sum(), pl.col("k").sum())
        counts = pl.concat(
            [counts, pooled.select(pl.lit("*").alias("model"), "outcome", "group", "n", "k")]
        ).sort("model", "outcome", "group")
    disparity = disparity_tests(counts, window, alpha=alpha, min_n=min_n, seed=SEED)
    return ReportStatistics(
        window=window,
        drift=drift,
        change_points=changes.sort("clause_id", "model"),
        disparity=disparity,
        accuracy=accuracy.sort("clause_id"),
    )
