"""Compare two spec versions on the same stored turns: per-clause rates under each, side by side.

Findings and clause metrics are keyed by spec_id and spec_version, so re-auditing stored turns
under a second version (``spec-audit run --spec VERSION --no-ingest``) leaves the first in place.
This reads both versions' ``clause_metrics`` over one window.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from spec_audit.metrics import sql, with_rate_macros, z_value
from spec_audit.spec.catalog import Catalog
from spec_audit.spec.diff import diff_catalogs
from spec_audit.store import query

_MEASURES = ("applicable", "violations", "rate", "ci_low", "ci_high")


def compare_versions(
    con: duckdb.DuckDBPyConnection,
    a: Catalog,
    b: Catalog,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pl.DataFrame:
    """Return one row per clause of either catalog with its totals under ``a`` and under ``b``.

    Columns: clause_id, status (from a to b: same; reworded = only title, text or metadata
    changed; conditions = applies_when or violation_when changed; added; removed), then applicable,
    violations, rate, ci_low, ci_high suffixed ``_a`` and ``_b`` (null where the version has no
    such clause or no metrics), and ``delta`` = rate_b - rate_a. Clauses are in b's order, then
    the clauses only a has.
    """
    diff = diff_catalogs(a, b)
    changed = {c.clause_id: c.fields for c in diff.changed}
    order = [c.id for c in b.clauses] + list(diff.removed)
    status = [_status(cid, diff.added, diff.removed, changed) for cid in order]
    frame = pl.DataFrame({"clause_id": order, "status": status})
    for catalog, suffix in ((a, "_a"), (b, "_b")):
        totals = query(
            with_rate_macros(con),
            sql("summary_clauses"),
            {
                "z": z_value(),
                "spec_id": catalog.spec_id,
                "spec_version": catalog.version,
                "start": start,
                "end": end,
            },
        ).select("clause_id", *_MEASURES)
        frame = frame.join(
            totals.rename({m: f"{m}{suffix}" for m in _MEASURES}),
            on="clause_id",
            how="left",
            maintain_order="left",
        )
    return frame.with_columns(
        pl.col("applicable_a", "violations_a", "applicable_b", "violations_b").cast(pl.Int64),
        delta=pl.col("rate_b") - pl.col("rate_a"),
    )


def _status(
    clause_id: str, added: tuple[str, ...], removed: tuple[str, ...], changed: dict[str, dict]
) -> str:
    """Return how a clause changed from a to b, as the compare table shows it."""
    if clause_id in added:
        return "added"
    if clause_id in removed:
        return "removed"
    fields = changed.get(clause_id, {})
    if {"applies_when", "violation_when"} & set(fields):
        return "conditions"
    return "reworded" if fields else "same"
