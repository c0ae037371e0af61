"""Judge turns against the spec: the ``findings`` table (turn × applicable clause → verdict).

Each testable clause contributes two compiled Polars expressions over the signal columns:
``applies`` (null counts as not applicable) and ``violation`` (null means the turn cannot be scored,
for example a user message with no reply). Clauses without expressions are untestable and yield no
findings; they are listed as such in summaries and reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import polars as pl

from spec_audit.partition import replace_days
from spec_audit.spec.catalog import Catalog
from spec_audit.store import query
from transforms.registry import SIGNALS

VERDICTS = ("compliant", "violation", "unscored")


def judge(signals: pl.LazyFrame, catalog: Catalog) -> pl.LazyFrame:
    """Return one finding row per (turn, applicable clause) with its verdict and evidence signals."""
    keys = ("turn_id", "conversation_id", "day", "model", "surface")
    present = set(signals.collect_schema().names())
    # Typed columns even where a frame holds only nulls, so the compiled expressions always apply.
    signals = signals.with_columns(
        pl.col(s.name).cast(s.polars_dtype) for s in SIGNALS if s.name in present
    )
    parts = [
        signals.filter(clause.applies.fill_null(False)).select(
            *keys,
            spec_id=pl.lit(catalog.spec_id),
            spec_version=pl.lit(catalog.version),
            clause_id=pl.lit(clause.id),
            kind=pl.lit(clause.kind),
            verdict=pl.when(clause.violation.is_null())
            .then(pl.lit("unscored"))
            .when(clause.violation)
            .then(pl.lit("violation"))
            .otherwise(pl.lit("compliant")),
            evidence=pl.lit(list(clause.signals), dtype=pl.List(pl.String)),
        )
        for clause in catalog.clauses
        if clause.testable
    ]
    if not parts:
        return pl.LazyFrame()
    return pl.concat(parts)


def judge_days(
    con: duckdb.DuckDBPyConnection, days: Sequence[dt.date], catalog: Catalog
) -> dict[str, int]:
    """Return rows written after replacing ``days`` of ``findings`` for the catalog's version."""
    signals = query(
        con, "SELECT * FROM signals WHERE day IN (SELECT unnest(?::DATE[]))", [list(days)]
    )
    findings = judge(signals.lazy(), catalog).collect()
    return replace_days(
        con,
        days,
        {"findings": findings},
        where="AND spec_id = ? AND spec_version = ?",
        params=(catalog.spec_id, catalog.version),
    )
