"""Coverage: which clauses of a catalog can be tested, how often they applied, how accurate they are.

One row per catalog clause, in catalog order: whether it has applicability and violation
conditions, the signals each reads, and, from an audit database, the turns it applied to (scored
and unscored findings) and its violations over a window. Measured verdict accuracy comes from a
``labeller_accuracy`` table (sensitivity and specificity, written by evaluation and auditor reviews); otherwise it is
null and shown as "not measured".
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from spec_audit.spec.catalog import Catalog
from spec_audit.spec.expressions import compile_expression
from spec_audit.stats.drift import measured_accuracy
from spec_audit.store import query

SCHEMA = {
    "clause_id": pl.String,
    "title": pl.String,
    "layer": pl.String,
    "authority": pl.String,
    "kind": pl.String,
    "testable": pl.Boolean,
    "applies_signals": pl.List(pl.String),
    "violation_signals": pl.List(pl.String),
    "overlays": pl.List(pl.String),
}
COUNTS = {
    "findings": pl.Int64,
    "scored": pl.Int64,
    "violations": pl.Int64,
    "sensitivity": pl.Float64,
    "specificity": pl.Float64,
    "n_pos": pl.Int64,
    "n_neg": pl.Int64,
}


_WINDOW = (
    "WHERE spec_id = $spec_id AND spec_version = $spec_version "
    "AND ($start IS NULL OR day >= $start) AND ($end IS NULL OR day <= $end) GROUP BY clause_id"
)
#: Per clause over the window: findings, scored findings and violations, counted from findings...
COUNTS_FROM_FINDINGS = (
    "SELECT clause_id, count(*) AS findings, "
    "count(*) FILTER (WHERE verdict <> 'unscored') AS scored, "
    "count(*) FILTER (WHERE verdict = 'violation') AS violations FROM findings " + _WINDOW
)
#: ...or summed from clause_metrics, which holds the same counts per day, model and surface.
COUNTS_FROM_METRICS = (
    "SELECT clause_id, sum(applicable + unscored) AS findings, sum(applicable) AS scored, "
    "sum(violations) AS violations FROM clause_metrics " + _WINDOW
)


def describe(catalog: Catalog) -> pl.DataFrame:
    """Return one row per clause: layer, authority, kind, testable, the signals each condition reads,
    and the overlays in force that adjust it.

    >>> from spec_audit.config import spec_path
    >>> from spec_audit.spec.catalog import load_catalog
    >>> frame = describe(load_catalog(spec_path()))
    >>> frame.height, int(frame["testable"].sum())
    (59, 44)
    """

    def signals(text: str | None) -> list[str]:
        return sorted(compile_expression(text).signals) if text else []

    return pl.DataFrame(
        {
            "clause_id": [c.id for c in catalog.clauses],
            "title": [c.title for c in catalog.clauses],
            "layer": [c.layer for c in catalog.clauses],
            "authority": [c.authority for c in catalog.clauses],
            "kind": [c.kind for c in catalog.clauses],
            "testable": [c.testable for c in catalog.clauses],
            "applies_signals": [signals(c.applies_when) for c in catalog.clauses],
            "violation_signals": [signals(c.violation_when) for c in catalog.clauses],
            "overlays": [
                [o.overlay_id for o in catalog.overlays if o.adjustment(c.id) is not None]
                for c in catalog.clauses
            ],
        },
        schema=SCHEMA,
    )


def coverage(
    catalog: Catalog,
    con: duckdb.DuckDBPyConnection | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    from_metrics: bool = False,
) -> pl.DataFrame:
    """Return ``describe(catalog)`` with findings counts and measured accuracy from ``con``.

    Without a database (or without a ``findings`` table) the counts are null; without a
    row in ``labeller_accuracy`` sensitivity and specificity are null. ``from_metrics`` sums the
    counts from ``clause_metrics`` (a few rows per day) instead of counting every finding.
    """
    frame = describe(catalog)
    counts = pl.DataFrame(schema={"clause_id": pl.String, **COUNTS})
    if con is not None and _has_table(con, "findings"):
        found = query(
            con,
            COUNTS_FROM_METRICS if from_metrics else COUNTS_FROM_FINDINGS,
            {
                "spec_id": catalog.spec_id,
                "spec_version": catalog.version,
                "start": start,
                "end": end,
            },
        )
        # Every clause gets a count once the database is there: zero means it never applied.
        counts = frame.select("clause_id").join(found, on="clause_id", how="left")
        counts = counts.with_columns(
            pl.col(c).fill_null(0).cast(pl.Int64) for c in ("findings", "scored", "violations")
        )
        counts = counts.join(measured_accuracy(con, catalog), on="clause_id", how="left")
    return frame.join(counts, on="clause_id", how="left", maintain_order="left").with_columns(
        pl.col(name).cast(dtype) for name, dtype in COUNTS.items()
    )


def _has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
        ).fetchall()[0][0]
    )
