"""Drift tests: has a clause's violation rate changed between baseline and current days, or models?

From ``clause_metrics`` counts, two families of tests are built for one spec version and window:

- ``window``: for each testable clause × model, the baseline days (A) against the current days (B);
- ``model``: for each testable clause, every pair of models seen in the current days, A before B in
  name order (so with versioned names such as assistant-2026-08 / assistant-2026-10, B is the
  newer version and "regressed" means the newer model violates more).

Every pair is tested at once (``compare.two_proportion``: z-test, Fisher for small expected counts,
or insufficient data below the minimum sample), q-values are computed within each family
(Benjamini–Hochberg by default, Holm as an option), and the verdict uses q:
regressed if q < α and the rate went up, improved if q < α and it went down, insufficient data if the
minimum-sample rule failed, else no change. Rates carry Wilson intervals and, where the clause's
labeller accuracy is known, Rogan–Gladen corrected rates.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from spec_audit.spec.catalog import Catalog
from spec_audit.stats.clustering import conversation_sums, design_effects
from spec_audit.stats.compare import INSUFFICIENT, MIN_N, two_proportion
from spec_audit.stats.intervals import rate, wilson
from spec_audit.stats.multiplicity import adjust
from spec_audit.stats.prevalence import (
    CORRECTED,
    NOT_MEASURED,
    UNINFORMATIVE,
    corrected_prevalence,
)
from spec_audit.stats.window import AuditWindow
from spec_audit.store import query

SQL_DIR = Path(__file__).resolve().parent / "sql"
#: Significance level of the verdicts (on q-values).
ALPHA = 0.05
_COUNTS = {"applicable": pl.Int64, "violations": pl.Int64}


@cache
def sql(name: str) -> str:
    """Return the text of ``spec_audit/stats/sql/<name>.sql``."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def measured_accuracy(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> pl.DataFrame:
    """Return the newest measured sensitivity and specificity of each clause's verdict.

    Columns clause_id, sensitivity, specificity, n_pos, n_neg; rows from ``labeller_accuracy``
    valid for the catalog's version (written by evaluation and by auditor reviews).
    """
    return query(con, sql("labeller_accuracy"), {"spec_version": catalog.version}).cast(
        {"sensitivity": pl.Float64, "specificity": pl.Float64, "n_pos": pl.Int64, "n_neg": pl.Int64}
    )


def verdicts(test: pl.Expr, q: pl.Expr, effect: pl.Expr, alpha: float = ALPHA) -> pl.Expr:
    """Return the verdict expression: regressed / improved / no change / insufficient data (by q)."""
    return (
        pl.when(test == "none")
        .then(pl.lit(INSUFFICIENT))
        .when((q < alpha) & (effect > 0))
        .then(pl.lit("regressed"))
        .when((q < alpha) & (effect < 0))
        .then(pl.lit("improved"))
        .otherwise(pl.lit("no change"))
    )


def test_family(
    pairs: pl.DataFrame,
    *,
    alpha: float = ALPHA,
    min_n: int = MIN_N,
    adjustment: str = "bh",
    family: str = "comparison",
) -> pl.DataFrame:
    """Return ``pairs`` with every test column, q-values within each ``family`` and the verdict.

    ``pairs`` needs a_applicable, a_violations, b_applicable, b_violations and the family column,
    and may have a_design_effect and b_design_effect (default 1, see ``two_proportion``); all
    pairs are tested in one vectorised pass.
    """
    k_a, n_a = pairs["a_violations"].to_numpy(), pairs["a_applicable"].to_numpy()
    k_b, n_b = pairs["b_violations"].to_numpy(), pairs["b_applicable"].to_numpy()
    design = {
        side: pairs[f"{side}_design_effect"].fill_null(1.0).to_numpy()
        if f"{side}_design_effect" in pairs.columns
        else 1.0
        for side in ("a", "b")
    }
    tests = two_proportion(
        k_a, n_a, k_b, n_b, min_n=min_n, alpha=alpha, design_a=design["a"], design_b=design["b"]
    )
    p_values = tests["p_value"].fill_null(np.nan).to_numpy()
    q_values = np.full(p_values.shape, np.nan)
    groups = pairs[family].to_numpy()
    for name in np.unique(groups):
        members = groups == name
        q_values[members] = adjust(p_values[members], adjustment)
    a_low, a_high = wilson(k_a, n_a)
    b_low, b_high = wilson(k_b, n_b)
    return pl.concat(
        [
            pairs,
            pl.DataFrame(
                {
                    "a_rate": rate(k_a, n_a),
                    "a_ci_low": a_low,
                    "a_ci_high": a_high,
                    "b_rate": rate(k_b, n_b),
                    "b_ci_low": b_low,
                    "b_ci_high": b_high,
                },
                nan_to_null=True,
            ),
            tests,
            pl.DataFrame({"q_value": q_values}, nan_to_null=True),
        ],
        how="horizontal",
    ).with_columns(
        adjustment=pl.lit(adjustment),
        verdict=verdicts(pl.col("test"), pl.col("q_value"), pl.col("effect"), alpha),
    )


def group_counts(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, first: object, last: object
) -> pl.DataFrame:
    """Return applicable turns and violations per clause × model over the days [first, last]."""
    return query(
        con,
        sql("group_counts"),
        {
            "spec_id": catalog.spec_id,
            "spec_version": catalog.version,
            "from": first,
            "to": last,
        },
    ).cast(_COUNTS)


def drift_pairs(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, window: AuditWindow
) -> pl.DataFrame:
    """Return every pair to compare (both families) with its A and B counts and design effects
    (of each side's days, ``spec_audit.stats.clustering``), before testing."""
    keys = ["clause_id", "model"]
    sums = conversation_sums(con, catalog, window.baseline_start, window.end)
    baseline, current = (
        group_counts(con, catalog, first, last).join(
            design_effects(sums.filter(pl.col("day").is_between(first, last)), keys),
            on=keys,
            how="left",
        )
        for first, last in (
            (window.baseline_start, window.baseline_end),
            (window.current_start, window.end),
        )
    )
    by_window = (
        baseline.join(current, on=["clause_id", "model"], how="full", coalesce=True, suffix="_b")
        .rename({"applicable": "a_applicable", "violations": "a_violations"})
        .rename({"applicable_b": "b_applicable", "violations_b": "b_violations"})
        .rename({"design_effect": "a_design_effect", "design_effect_b": "b_design_effect"})
        .with_columns(
            pl.col("^[ab]_(applicable|violations)$").fill_null(0),
            pl.col("^[ab]_design_effect$").fill_null(1.0),
            model_a=pl.col("model"),
            model_b=pl.col("model"),
            comparison=pl.lit("window"),
            a_start=pl.lit(window.baseline_start),
            a_end=pl.lit(window.baseline_end),
        )
        .drop("model")
    )
    by_model = (
        current.join(current, on="clause_id", suffix="_b")
        .filter(pl.col("model") < pl.col("model_b"))
        .rename(
            {
                "model": "model_a",
                "applicable": "a_applicable",
                "violations": "a_violations",
                "applicable_b": "b_applicable",
                "violations_b": "b_violations",
                "design_effect": "a_design_effect",
                "design_effect_b": "b_design_effect",
            }
        )
        .with_columns(
            comparison=pl.lit("model"),
            a_start=pl.lit(window.current_start),
            a_end=pl.lit(window.end),
        )
    )
    columns = [
        "comparison", "clause_id", "model_a", "model_b", "a_start", "a_end",
        "a_applicable", "a_violations", "b_applicable", "b_violations",
        "a_design_effect", "b_design_effect",
    ]  # fmt: skip
    pairs = pl.concat([by_window.select(columns), by_model.select(columns)])
    clauses = pl.DataFrame(
        {
            "clause_id": [c.id for c in catalog.testable],
            "layer": [c.layer for c in catalog.testable],
            "kind": [c.kind for c in catalog.testable],
        }
    )
    return pairs.join(clauses, on="clause_id").with_columns(
        b_start=pl.lit(window.current_start), b_end=pl.lit(window.end)
    )


def correct(tested: pl.DataFrame, accuracy: pl.DataFrame, *, seed: int = 0) -> pl.DataFrame:
    """Return ``tested`` with Rogan–Gladen corrected A and B rates where the clause's accuracy is known."""
    joined = tested.join(accuracy, on="clause_id", how="left")
    measured = joined["sensitivity"].is_not_null().to_numpy()
    usable = (
        measured & (joined["sensitivity"] + joined["specificity"] > 1).fill_null(False).to_numpy()
    )
    columns = {}
    for side in ("a", "b"):
        estimate, low, high = (np.full(joined.height, np.nan) for _ in range(3))
        if usable.any():
            rows = joined.filter(pl.Series(usable))
            estimate[usable], low[usable], high[usable] = corrected_prevalence(
                rows[f"{side}_violations"].to_numpy(),
                rows[f"{side}_applicable"].to_numpy(),
                rows["sensitivity"].to_numpy(),
                rows["specificity"].to_numpy(),
                rows["n_pos"].to_numpy(),
                rows["n_neg"].to_numpy(),
                seed=seed,
            )
        columns |= {f"{side}_corrected": estimate, f"{side}_corrected_low": low}
        columns[f"{side}_corrected_high"] = high
    note = np.where(usable, CORRECTED, np.where(measured, UNINFORMATIVE, NOT_MEASURED))
    return pl.concat(
        [
            joined.drop("sensitivity", "specificity", "n_pos", "n_neg"),
            pl.DataFrame(columns, nan_to_null=True),
            pl.DataFrame({"correction": note}),
        ],
        how="horizontal",
    )


def drift_tests(
    con: duckdb.DuckDBPyConnection,
    catalog: Catalog,
    window: AuditWindow,
    *,
    alpha: float = ALPHA,
    min_n: int = MIN_N,
    adjustment: str = "bh",
    seed: int = 0,
) -> pl.DataFrame:
    """Return the ``drift_tests`` rows of one spec version and window (both families, tested)."""
    tested = test_family(
        drift_pairs(con, catalog, window), alpha=alpha, min_n=min_n, adjustment=adjustment
    )
    return (
        correct(tested, measured_accuracy(con, catalog), seed=seed)
        .with_columns(
            spec_id=pl.lit(catalog.spec_id),
            spec_version=pl.lit(catalog.version),
            window_start=pl.lit(window.start),
            window_end=pl.lit(window.end),
        )
        .sort("comparison", "clause_id", "model_a", "model_b")
    )
