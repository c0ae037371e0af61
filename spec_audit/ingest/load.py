"""Ingesting files: each new file's conversations, turns and rejects written in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from spec_audit.ingest import adapters, normalize, readers
from spec_audit.store import transaction


@dataclass(frozen=True)
class FileResult:
    """What ingesting one file did; ``rows_accepted + rows_rejected == rows_read`` always.

    A skipped file (its hash is already in ``ingest_manifest``) read nothing in this run: its
    counts are 0 and ``adapter`` is the one recorded when it was ingested.
    """

    path: Path
    sha256: str
    format: str
    adapter: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    status: str  # "ingested" or "skipped"


def ingest_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[Path | str],
    *,
    adapter: str | None = None,
    on_file: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Return one ``FileResult`` per file after ingesting every new file among ``paths``.

    Folders are expanded recursively to their .jsonl, .jsonl.gz, .ndjson, .parquet and .csv
    files. A file whose SHA-256 is in ``ingest_manifest`` is skipped; any other file's
    conversations, turns, rejected records and manifest row are written in one transaction, so a
    failure leaves the store as it was before that file. ``adapter`` forces canonical,
    openai_chat or flat instead of detecting it per file; ``on_file`` is called after each file.
    Raises ``UserError`` for a missing or unsupported named file, an unknown adapter, or a file
    that cannot be read at all.
    """
    adapters.check_name(adapter)
    files = readers.expand(paths)
    # Naive timestamps are UTC and days are UTC days: the cast to TIMESTAMPTZ uses this zone.
    con.execute("SET TimeZone = 'UTC'")
    results = []
    for path, fmt in files:
        result = _ingest_file(con, path, fmt, adapter)
        results.append(result)
        if on_file is not None:
            on_file(result)
    return results


def _ingest_file(
    con: duckdb.DuckDBPyConnection, path: Path, fmt: str, adapter: str | None
) -> FileResult:
    """Return the result of ingesting one file, or of skipping it when already ingested."""
    sha256 = readers.sha256(path)
    known = con.execute(
        "SELECT adapter FROM ingest_manifest WHERE source_sha256 = $sha256", {"sha256": sha256}
    ).fetchall()
    if known:
        return FileResult(path, sha256, fmt, known[0][0], 0, 0, 0, "skipped")
    try:
        with transaction(con):
            rows_read = readers.load_records(con, path, fmt)
            adapters.prepare(con)
            chosen = adapter or adapters.detect(con)
            fields = adapters.stage(con, chosen, sha256=sha256)
            accepted, rejected = normalize.write(con, fields, sha256=sha256, source_file=str(path))
            if accepted + rejected != rows_read:  # a bug, not a user error: one verdict a record
                raise AssertionError(f"{path}: {accepted} + {rejected} != {rows_read} rows read")
            con.execute(
                "INSERT INTO ingest_manifest VALUES "
                "($sha256, $source_file, $format, $adapter, $read, $accepted, $rejected, now())",
                {
                    "sha256": sha256,
                    "source_file": str(path),
                    "format": fmt,
                    "adapter": chosen,
                    "read": rows_read,
                    "accepted": accepted,
                    "rejected": rejected,
                },
            )
    finally:
        normalize.drop_temp(con)
    return FileResult(path, sha256, fmt, chosen, rows_read, accepted, rejected, "ingested")
