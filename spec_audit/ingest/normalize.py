"""Normalisation: staged records into accepted conversations, their turns and rejected records."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import duckdb
import yaml

from spec_audit.ingest import redaction
from spec_audit.ingest.adapters import Fields, sql

LIMITS_FILE = Path(__file__).resolve().parent / "limits.yaml"
_TEMP_TABLES = (
    "_ingest_rejected",
    "_ingest_raw",
    "_ingest_checked",
    "_ingest_staged",
    "_ingest_records",
)


@dataclass(frozen=True)
class Counts:
    """A file's records by verdict; ``duplicates`` (identical copies) are among ``rejected``."""

    accepted: int
    rejected: int
    duplicates: int


@cache
def limits() -> dict[str, object]:
    """Return the ingest limits of ``limits.yaml``."""
    return yaml.safe_load(LIMITS_FILE.read_text(encoding="utf-8"))


def _limit_params() -> dict[str, object]:
    """Return the limits as the parameters ``checks.sql`` takes (times as UTC instants)."""
    data = limits()
    earliest = dt.datetime.fromisoformat(str(data["earliest_started_at"])).replace(tzinfo=dt.UTC)
    latest = dt.datetime.now(dt.UTC) + dt.timedelta(hours=int(data["future_tolerance_hours"]))
    return {
        "max_message_chars": int(data["max_message_chars"]),
        "max_metadata_chars": int(data["max_metadata_chars"]),
        "max_metadata_depth": int(data["max_metadata_depth"]),
        "earliest": earliest,
        "latest": latest,
        "future_hours": int(data["future_tolerance_hours"]),
    }


def write(
    con: duckdb.DuckDBPyConnection,
    fields: Fields,
    *,
    sha256: str,
    source_file: str,
    redact: bool = True,
    keep_raw: bool = False,
) -> Counts:
    """Return the file's counts after writing the staged file's rows to the store tables.

    Keeps the staged records' raw messages aside when ``keep_raw``, redacts their PII when
    ``redact``, runs the checks (``checks.sql``) over ``_ingest_staged`` and
    ``_ingest_records``, then inserts rejected records (redacted too), conversations, turns
    and, with ``keep_raw``, raw messages. The caller holds the transaction.
    """
    if keep_raw:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _ingest_raw AS SELECT line, messages FROM _ingest_staged"
        )
    if redact:
        redaction.redact_staged(con)
    con.execute(sql("checks"), {**asdict(fields), **_limit_params()})
    redaction.rejected(con, redact=redact)
    source = {"sha256": sha256, "source_file": source_file}
    con.execute(sql("rejected"), {**source, "max_chars": int(limits()["max_rejected_raw_chars"])})
    con.execute(sql("conversations"), {"sha256": sha256})
    con.execute(sql("turns"))
    if keep_raw:
        con.execute(sql("raw_messages"), {"sha256": sha256})
    counts = con.execute(
        "SELECT count(*) FILTER (WHERE reason IS NULL), count(*) FILTER (WHERE reason IS NOT NULL), "
        "count(*) FILTER (WHERE duplicate) FROM _ingest_checked"
    ).fetchall()[0]
    return Counts(int(counts[0]), int(counts[1]), int(counts[2]))


def drop_temp(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the temporary tables one file's ingestion made, to free their memory."""
    for table in _TEMP_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")
