"""Validate the audit database: run the data-quality suites and record every result.

``validate`` runs the Great Expectations suites of ``expectations/`` (one per table) and the
cross-table SQL checks on a DuckDB connection, and appends one ``validation_results`` row per
expectation in one transaction, under one run id. A failed ``error`` result means downstream work
must not trust the table; a failed ``warn`` result is worth a look.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import polars as pl

from expectations import clause_metrics, findings, ingest, signals, statistics, turns
from expectations.identities import identities_for
from expectations.runner import Result, Suite, load_thresholds, run_suite
from spec_audit.errors import UserError
from spec_audit.spec.catalog import Catalog, load_catalog
from spec_audit.spec.versions import resolve_spec
from spec_audit.store import memory_limit, transaction

__all__ = ["TABLES", "Result", "validate", "write_results"]

#: DuckDB's memory while validating. The checks are aggregates that DuckDB computes where the rows
#: are; the uniqueness checks group every row by its key, which at millions of findings takes
#: several gigabytes unless DuckDB is capped, when it spills to its temporary files instead (the
#: findings of 999,040 conversations: 5.3 GB uncapped, 1.4 GB capped, for a fifth more CPU time).
MEMORY_LIMIT = "1GB"

#: Tables with a suite, in pipeline order.
TABLES = (
    "ingest_manifest",
    "rejected_records",
    "conversations",
    "turns",
    "signals",
    "findings",
    "clause_metrics",
    "drift_tests",
    "disparity_tests",
    "change_points",
)


def validate(
    con: duckdb.DuckDBPyConnection,
    tables: Sequence[str] | None = None,
    run_id: str | None = None,
    *,
    days: Sequence[dt.date] | None = None,
    catalogs: Sequence[Catalog] | None = None,
    thresholds: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> list[Result]:
    """Return the results of the suites of ``tables`` after appending them to ``validation_results``.

    ``tables`` defaults to every table with a suite that exists (``signals`` appears with the
    first audit); naming a table without a suite or one not in the database is a ``UserError``.
    ``days`` limits the daily tables to those days. Clause ids are checked against ``catalogs``,
    the configured catalog and the shipped catalog of every spec version in ``findings``.
    ``thresholds`` default to ``expectations/thresholds.yaml``; ``now`` (default: the clock) bounds
    timestamps from above.
    """
    present = {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
    }
    chosen = [t for t in TABLES if t in present] if tables is None else list(tables)
    for table in chosen:
        if table not in TABLES:
            raise UserError(f"--table {table!r}: no suite for it (tables: {', '.join(TABLES)})")
        if table not in present:
            raise UserError(f"--table {table!r}: not in the database yet")
    now = now or dt.datetime.now(dt.UTC)
    thresholds = dict(thresholds or load_thresholds())
    if "findings" in chosen:
        catalogs = _catalogs(con, catalogs or ())
    results: list[Result] = []
    with memory_limit(con, MEMORY_LIMIT):
        for table in chosen:
            suite = _suite(table, thresholds, now, catalogs or ())
            results += run_suite(suite, con, days=days)
            results += [identity.run(con, days) for identity in identities_for(table)]
    write_results(con, results, run_id or uuid.uuid4().hex, now, days)
    return results


def _suite(
    table: str, thresholds: dict[str, Any], now: dt.datetime, catalogs: Sequence[Catalog]
) -> Suite:
    match table:
        case "ingest_manifest":
            return ingest.manifest_suite(thresholds)
        case "rejected_records":
            return ingest.rejected_suite(thresholds)
        case "conversations":
            return ingest.conversations_suite(thresholds, now)
        case "turns":
            return turns.suite(thresholds, now)
        case "signals":
            return signals.suite(thresholds)
        case "findings":
            return findings.suite(thresholds, catalogs)
        case "clause_metrics":
            return clause_metrics.suite(thresholds)
        case "drift_tests":
            return statistics.drift_suite(thresholds)
        case "disparity_tests":
            return statistics.disparity_suite(thresholds)
        case "change_points":
            return statistics.change_point_suite(thresholds)
    raise ValueError(f"no suite for {table}")  # unreachable: tables are checked first


def _catalogs(con: duckdb.DuckDBPyConnection, given: Sequence[Catalog]) -> list[Catalog]:
    """Return ``given``, the configured catalog and the shipped catalog of each version in findings."""
    catalogs = {(c.spec_id, c.version): c for c in given}
    configured = load_catalog(resolve_spec(None))
    catalogs.setdefault((configured.spec_id, configured.version), configured)
    for spec_id, version in con.execute(
        "SELECT DISTINCT spec_id, spec_version FROM findings ORDER BY ALL"
    ).fetchall():
        if (spec_id, version) in catalogs:
            continue
        try:
            catalogs[(spec_id, version)] = load_catalog(resolve_spec(f"{spec_id}@{version}"))
        except UserError:
            # A catalog audited from a file that is not shipped: its findings fail the clause
            # check, which says which versions were known.
            continue
    return list(catalogs.values())


def write_results(
    con: duckdb.DuckDBPyConnection,
    results: Sequence[Result],
    run_id: str,
    run_at: dt.datetime,
    days: Sequence[dt.date] | None = None,
) -> int:
    """Return the rows appended to ``validation_results`` for one run, in one transaction."""
    frame = pl.DataFrame(
        {
            "run_id": [run_id] * len(results),
            "run_at": [run_at] * len(results),
            "table_name": [r.table for r in results],
            "suite": [r.suite for r in results],
            "kind": [r.kind for r in results],
            "expectation": [r.expectation for r in results],
            "column_name": [r.column for r in results],
            "description": [r.description for r in results],
            "severity": [r.severity for r in results],
            "success": [r.success for r in results],
            "element_count": [r.element_count for r in results],
            "unexpected_count": [r.unexpected_count for r in results],
            "observed_value": [r.observed_value for r in results],
            "first_day": [min(days) if days else None] * len(results),
            "last_day": [max(days) if days else None] * len(results),
            "details": [json.dumps(r.details, sort_keys=True) for r in results],
        },
        schema_overrides={
            "run_at": pl.Datetime("us", "UTC"),
            "element_count": pl.Int64,
            "unexpected_count": pl.Int64,
            "first_day": pl.Date,
            "last_day": pl.Date,
            "column_name": pl.String,
            "observed_value": pl.String,
        },
    )
    with transaction(con):
        con.register("validation_frame", frame)
        try:
            con.execute("INSERT INTO validation_results BY NAME SELECT * FROM validation_frame")
        finally:
            con.unregister("validation_frame")
    return frame.height
