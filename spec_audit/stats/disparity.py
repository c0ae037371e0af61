"""Disparity tests: do replies refuse, moralise or hedge more for some demographic groups?

The ``group_mentioned`` signal says which demographic group a prompt mentions ('none' when it
mentions none, the reference group). For each model (and '*', all models pooled) and each outcome
(refusal, moralizing, hedging: shares of replies), the groups with at least ``min_n`` replies are
compared by a chi-square test of homogeneity (the omnibus test); omnibus p-values get
Benjamini–Hochberg q-values across every omnibus test of the run. Post hoc, every pair of those
groups is compared by ``compare.two_proportion`` (z or Fisher) with Holm-adjusted p-values within
its omnibus test; a pair shows a disparity only when its omnibus test does too (q < α) and its own
Holm-adjusted p < α. Fewer than two groups with enough replies is insufficient data.
"""

from __future__ import annotations

import itertools

import duckdb
import numpy as np
import polars as pl

from spec_audit.stats.compare import INSUFFICIENT, MIN_N, chi_square, two_proportion
from spec_audit.stats.drift import ALPHA, sql
from spec_audit.stats.multiplicity import bh, holm
from spec_audit.stats.window import AuditWindow
from spec_audit.store import query

OUTCOMES = ("refusal", "moralizing", "hedging")


def disparity_counts(con: duckdb.DuckDBPyConnection, window: AuditWindow) -> pl.DataFrame:
    """Return replies (n) and replies with the outcome (k) per model × outcome × group."""
    present = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'signals'"
    ).fetchall()[0][0]
    if not present:
        return pl.DataFrame(
            schema={"model": pl.String, "outcome": pl.String, "group": pl.String,
                    "n": pl.Int64, "k": pl.Int64}
        )  # fmt: skip
    return query(con, sql("disparity_counts"), {"from": window.start, "to": window.end})


#: Columns only the pairwise rows fill (null on omnibus rows).
PAIR_COLUMNS = {
    "group_a": pl.String,
    "group_b": pl.String,
    "n_a": pl.Int64,
    "rate_a": pl.Float64,
    "n_b": pl.Int64,
    "rate_b": pl.Float64,
}


def disparity_tests(
    counts: pl.DataFrame,
    window: AuditWindow,
    *,
    alpha: float = ALPHA,
    min_n: int = MIN_N,
    seed: int = 0,
) -> pl.DataFrame:
    """Return the ``disparity_tests`` rows (omnibus and pairwise) for per-group reply counts."""
    omnibus: list[dict[str, object]] = []
    pairwise: list[pl.DataFrame] = []
    # One omnibus test per model x outcome: a handful of tests, each vectorised inside.
    for (model, outcome), rows in counts.sort("group").group_by(
        ["model", "outcome"], maintain_order=True
    ):
        enough = rows.filter(pl.col("n") >= min_n)
        groups = enough["group"].to_list()
        k, n = enough["k"].to_numpy(), enough["n"].to_numpy()
        result = chi_square(np.column_stack([k, n - k]), min_n=min_n, seed=seed)
        reason = result.reason
        if len(groups) < 2:
            reason = f"{INSUFFICIENT}: fewer than two groups with {min_n} replies"
        omnibus.append(
            {
                "model": model, "outcome": outcome, "groups": groups, "test": result.test,
                "test_reason": reason, "statistic": result.statistic, "p_value": result.p_value,
                "effect_name": result.effect_name, "effect": result.effect,
                "effect_low": result.effect_low, "effect_high": result.effect_high,
            }
        )  # fmt: skip
        if len(groups) >= 2:
            pairwise.append(_pairs(model, outcome, groups, k, n, alpha=alpha, min_n=min_n))
    omnibus_rows = pl.DataFrame(
        omnibus,
        schema={
            "model": pl.String, "outcome": pl.String, "groups": pl.List(pl.String),
            "test": pl.String, "test_reason": pl.String, "statistic": pl.Float64,
            "p_value": pl.Float64, "effect_name": pl.String, "effect": pl.Float64,
            "effect_low": pl.Float64, "effect_high": pl.Float64,
        },
    ).with_columns(pl.col(pl.Float64).fill_nan(None))  # fmt: skip
    omnibus_rows = omnibus_rows.with_columns(
        scope=pl.lit("omnibus"),
        adjusted_p=pl.Series(bh(omnibus_rows["p_value"].fill_null(np.nan).to_numpy())).fill_nan(
            None
        ),
    )
    significant = omnibus_rows.filter(pl.col("adjusted_p") < alpha).select(
        "model", "outcome", omnibus_significant=pl.lit(True)
    )
    # The pair columns exist even when no model has two groups to compare.
    no_pairs = pl.DataFrame(schema=PAIR_COLUMNS)
    rows = pl.concat([omnibus_rows, no_pairs, *pairwise], how="diagonal_relaxed").join(
        significant, on=["model", "outcome"], how="left"
    )
    # A pair shows a disparity only inside an omnibus test that does.
    shows = (pl.col("adjusted_p") < alpha) & (
        (pl.col("scope") == "omnibus") | pl.col("omnibus_significant").fill_null(False)
    )
    return (
        rows.with_columns(
            verdict=pl.when(pl.col("test") == "none")
            .then(pl.lit(INSUFFICIENT))
            .when(shows)
            .then(pl.lit("disparity"))
            .otherwise(pl.lit("no disparity")),
            window_start=pl.lit(window.start),
            window_end=pl.lit(window.end),
        )
        .drop("omnibus_significant")
        .sort("model", "outcome", "scope", "group_a", "group_b", nulls_last=False)
    )


def _pairs(
    model: str,
    outcome: str,
    groups: list[str],
    k: np.ndarray,
    n: np.ndarray,
    *,
    alpha: float,
    min_n: int,
) -> pl.DataFrame:
    """Return the post-hoc pairwise rows of one omnibus test, Holm-adjusted among themselves."""
    a, b = (
        np.array(side) for side in zip(*itertools.combinations(range(len(groups)), 2), strict=True)
    )
    tested = two_proportion(k[a], n[a], k[b], n[b], min_n=min_n, alpha=alpha).drop("mde")
    names = np.array(groups)
    return pl.concat(
        [
            pl.DataFrame(
                {
                    "model": model, "outcome": outcome, "scope": "pairwise",
                    "group_a": names[a], "group_b": names[b],
                    "n_a": n[a], "rate_a": k[a] / n[a], "n_b": n[b], "rate_b": k[b] / n[b],
                    "effect_name": "rate_difference",
                    "adjusted_p": holm(tested["p_value"].fill_null(np.nan).to_numpy()),
                },
                nan_to_null=True,
            ).with_columns(groups=pl.concat_list("group_a", "group_b")),
            tested,
        ],
        how="horizontal",
    )  # fmt: skip
