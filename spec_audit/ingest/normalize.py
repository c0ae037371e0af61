"""Normalisation: staged records into accepted conversations, their turns and rejected records."""

from __future__ import annotations

from dataclasses import asdict

import duckdb

from spec_audit.ingest.adapters import Fields, sql

_TEMP_TABLES = ("_ingest_checked", "_ingest_staged", "_ingest_records")


def write(
    con: duckdb.DuckDBPyConnection, fields: Fields, *, sha256: str, source_file: str
) -> tuple[int, int]:
    """Return ``(accepted, rejected)`` after writing the staged file's rows to the store tables.

    Runs the checks (``checks.sql``) over ``_ingest_staged`` and ``_ingest_records``, then inserts
    rejected records, conversations and turns. The caller holds the transaction.
    """
    con.execute(sql("checks"), asdict(fields))
    source = {"sha256": sha256, "source_file": source_file}
    con.execute(sql("rejected"), source)
    con.execute(sql("conversations"), {"sha256": sha256})
    con.execute(sql("turns"))
    counts = con.execute(
        "SELECT count(*) FILTER (WHERE reason IS NULL), count(*) FILTER (WHERE reason IS NOT NULL) "
        "FROM _ingest_checked"
    ).fetchall()[0]
    return int(counts[0]), int(counts[1])


def drop_temp(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the temporary tables one file's ingestion made, to free their memory."""
    for table in _TEMP_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")
