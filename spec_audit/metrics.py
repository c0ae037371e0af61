"""Measure clauses: the ``clause_metrics`` table (day × model × surface × clause → rate, interval)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import duckdb
import polars as pl
from scipy.stats import norm

from spec_audit.findings import SPEC_FILTER
from spec_audit.partition import replace_days
from spec_audit.spec.catalog import Catalog
from spec_audit.store import query

SQL_DIR = Path(__file__).resolve().parent / "sql"
#: Confidence level of every interval the product shows.
CONFIDENCE = 0.95


@cache
def sql(name: str) -> str:
    """Return the text of ``spec_audit/sql/<name>.sql``."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def z_value(confidence: float = CONFIDENCE) -> float:
    """Return the two-sided normal quantile for ``confidence`` (1.96 for 0.95)."""
    return float(norm.ppf(0.5 + confidence / 2))


def with_rate_macros(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Return ``con`` after defining the ``wilson_low`` / ``wilson_high`` macros on it."""
    con.execute(sql("macros"))
    return con


def metrics_frame(
    con: duckdb.DuckDBPyConnection, days: Sequence[dt.date], catalog: Catalog
) -> pl.DataFrame:
    """Return the ``clause_metrics`` rows of ``days`` computed from ``findings`` on ``con``.

    ``findings`` may be the table or a frame registered under that name.
    """
    return query(
        with_rate_macros(con),
        sql("clause_metrics"),
        {
            "z": z_value(),
            "days": list(days),
            "spec_id": catalog.spec_id,
            "spec_version": catalog.version,
        },
    )


def measure_days(
    con: duckdb.DuckDBPyConnection, days: Sequence[dt.date], catalog: Catalog
) -> dict[str, int]:
    """Return rows written after replacing ``days`` of ``clause_metrics`` for the catalog's version."""
    return replace_days(
        con,
        days,
        {"clause_metrics": metrics_frame(con, days, catalog)},
        where=SPEC_FILTER,
        params=(catalog.spec_id, catalog.version),
    )
