"""Audit days in parallel: each day computed by its own worker into Parquet, then merged by one writer.

DuckDB allows one writing process per database file, while any number of processes may read it
when nobody writes. So the parallel audit has two phases:

1. ``stage_day`` (many at once, one per day): open the database **read-only**, label, judge and
   measure one day, and write ``signals``, ``evidence``, ``findings`` and ``clause_metrics`` of
   that day as Parquet files under ``<staging>/<day>/``. The staging location is a folder or an
   object-store URL (``s3://bucket/prefix``, ``gs://...``, ``az://...``) that Polars writes to.
2. ``merge_days`` (one process, after every day is staged): replace each staged day in the
   database through ``replace_days``, one transaction a day, exactly as the serial audit does.

The rows are the ones the serial audit (``spec_audit.audit``) writes: the same functions compute
them, only the hand-off between the stages is a Parquet file instead of a table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import polars as pl

from spec_audit import store
from spec_audit.findings import SPEC_FILTER, ensure_findings_columns, judge, read_signals
from spec_audit.metrics import metrics_frame
from spec_audit.partition import replace_days
from spec_audit.signals import ensure_signals_table, label, read_turns
from spec_audit.spec.catalog import Catalog

#: The staged tables of a day, in the order they are merged.
TABLES = ("signals", "evidence", "findings", "clause_metrics")


def day_tables(
    con: duckdb.DuckDBPyConnection, day: dt.date, catalog: Catalog
) -> dict[str, pl.DataFrame]:
    """Return the four audit tables of one day, computed from its turns (``con`` may be read-only)."""
    signals, evidence = label(read_turns(con, [day]))
    con.register("staged_signals", signals)
    try:
        findings = judge(read_signals(con, [day], catalog, "staged_signals").lazy(), catalog)
        findings = findings.collect()
    finally:
        con.unregister("staged_signals")
    scratch = duckdb.connect()  # the metrics query reads a table named findings: this frame
    try:
        scratch.register("findings", findings)
        metrics = metrics_frame(scratch, [day], catalog)
    finally:
        scratch.close()
    return {
        "signals": signals,
        "evidence": evidence,
        "findings": findings,
        "clause_metrics": metrics,
    }


def _location(staging: str, day: dt.date, table: str) -> str:
    """Return where a staged table of a day lives (a local path or an object-store URL)."""
    return f"{staging.rstrip('/')}/{day.isoformat()}/{table}.parquet"


def _is_local(staging: str) -> bool:
    return "://" not in staging


def stage_day(
    db: Path | str,
    day: dt.date,
    catalog: Catalog,
    staging: str,
    storage_options: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Return rows staged per table after writing one day's audit tables under ``staging``."""
    con = store.connect(db, read_only=True)
    try:
        tables = day_tables(con, day, catalog)
    finally:
        con.close()
    for table, frame in tables.items():
        target = _location(staging, day, table)
        if _is_local(staging):
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(target, storage_options=dict(storage_options or {}) or None)
    return {table: frame.height for table, frame in tables.items()}


def merge_days(
    con: duckdb.DuckDBPyConnection,
    days: Sequence[dt.date],
    catalog: Catalog,
    staging: str,
    storage_options: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Return rows written per table after replacing every staged day in the database.

    Each day is replaced in one transaction per group of tables (signals and evidence; then
    findings and clause_metrics of the catalog's version), as the serial audit does.
    """
    ensure_signals_table(con)
    ensure_findings_columns(con)
    options = dict(storage_options or {}) or None
    written = dict.fromkeys(TABLES, 0)
    for day in days:
        frames = {
            t: pl.read_parquet(_location(staging, day, t), storage_options=options) for t in TABLES
        }
        counts = replace_days(con, [day], {t: frames[t] for t in ("signals", "evidence")})
        counts |= replace_days(
            con,
            [day],
            {t: frames[t] for t in ("findings", "clause_metrics")},
            where=SPEC_FILTER,
            params=(catalog.spec_id, catalog.version),
        )
        for table, rows in counts.items():
            written[table] += rows
    return written
