"""Ingesting files: each new file's conversations, turns and rejects written in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from spec_audit import config
from spec_audit.ingest import adapters, normalize, readers
from spec_audit.pii import redact_texts
from spec_audit.store import transaction

#: Reason and line of the one rejected record standing for a file that cannot be read at all.
UNREADABLE_LINE = 0
CHANGED = "changed while being read; not ingested (it is read again on the next ingest)"
#: WAL size at which DuckDB checkpoints during an ingest. Its default (16 MB) checkpoints every
#: few files, and each checkpoint rewrites the primary-key indexes of conversations and turns
#: whole, so an ingest of many files paid for them again and again. Rows not yet checkpointed
#: are held in memory, though, so deferring every checkpoint to the end made ingest's memory
#: grow with the rows ingested (3.0 GB at 1,000,000 conversations); at 256 MB it checkpoints
#: every few days of a million-conversation month, for the same CPU time and half the memory.
#: Commits stay durable either way (the WAL is synced at each commit).
INGEST_CHECKPOINT_THRESHOLD = "256MB"


@dataclass(frozen=True)
class FileResult:
    """What ingesting one file did; ``rows_accepted + rows_rejected == rows_read`` always.

    ``status`` is ``ingested``; ``unreadable`` (nothing in it could be read: one rejected record
    on line 0 says why, and the file counts as one record read); ``skipped`` (its hash is
    already in ``ingest_manifest``: its counts are 0 and ``adapter`` is the one recorded then);
    or ``changed`` (its bytes changed while it was read: nothing was written, counts are 0).
    ``rows_duplicate`` counts the rejected records that are identical copies of a conversation
    already stored (not errors); ``problem`` says what went wrong for unreadable and changed.
    """

    path: Path
    sha256: str
    format: str
    adapter: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    status: str
    rows_duplicate: int = 0
    problem: str | None = None


class _Changed(Exception):
    """The file's bytes changed between hashing and reading it: roll the file back."""


def ingest_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[Path | str],
    *,
    adapter: str | None = None,
    on_file: Callable[[FileResult], None] | None = None,
    redact: bool | None = None,
    keep_raw: bool | None = None,
) -> list[FileResult]:
    """Return one ``FileResult`` per file after ingesting every new file among ``paths``.

    Folders are expanded recursively to their .jsonl, .jsonl.gz, .ndjson, .parquet and .csv
    files. A file whose SHA-256 is in ``ingest_manifest`` is skipped; any other file's
    conversations, turns, rejected records and manifest row are written in one transaction, so a
    failure or a kill leaves the store as it was before that file. A file that cannot be read,
    or that changes while it is read, does not stop the others. ``adapter`` forces canonical,
    openai_chat or flat instead of detecting it per file; ``on_file`` is called after each file.
    ``redact`` (default: ``SPEC_AUDIT_REDACT``, on) replaces PII by typed placeholders before
    anything is stored; ``keep_raw`` (default: ``SPEC_AUDIT_KEEP_RAW``, off) also stores the
    messages as they were in ``raw_messages``. Raises ``UserError`` for a missing or
    unsupported named file or an unknown adapter.
    """
    adapters.check_name(adapter)
    files = readers.expand(paths)
    redact = config.redact_setting(redact)
    keep_raw = config.keep_raw_setting(keep_raw)
    # Naive timestamps are UTC and days are UTC days: the cast to TIMESTAMPTZ uses this zone.
    con.execute("SET TimeZone = 'UTC'")
    results = []
    with _deferred_checkpoints(con):
        for path, fmt in files:
            result = _ingest_file(con, path, fmt, adapter, redact=redact, keep_raw=keep_raw)
            results.append(result)
            if on_file is not None:
                on_file(result)
    return results


@contextmanager
def _deferred_checkpoints(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Checkpoint once after the block rather than whenever the WAL grows past DuckDB's default."""
    before = con.execute("SELECT current_setting('checkpoint_threshold')").fetchall()[0][0]
    con.execute(f"SET checkpoint_threshold = '{INGEST_CHECKPOINT_THRESHOLD}'")
    try:
        yield
    finally:
        con.execute(f"SET checkpoint_threshold = '{before}'")
    con.execute("CHECKPOINT")


def _ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    fmt: str,
    adapter: str | None,
    *,
    redact: bool,
    keep_raw: bool,
) -> FileResult:
    """Return the result of ingesting one file, or of skipping it when already ingested."""
    sha256 = _hash(path)
    if sha256 is None:
        return FileResult(path, "", fmt, adapter or "", 0, 0, 0, "changed", problem=CHANGED)
    known = con.execute(
        "SELECT adapter FROM ingest_manifest WHERE source_sha256 = $sha256", {"sha256": sha256}
    ).fetchall()
    if known:
        return FileResult(path, sha256, fmt, known[0][0], 0, 0, 0, "skipped")
    chosen = adapter or "canonical"
    try:
        with transaction(con):
            try:
                rows_read = readers.load_records(con, path, fmt)
            except readers.UnreadableFile as error:
                if _hash(path) != sha256:
                    raise _Changed from None
                problem = redact_texts([str(error)])[0] if redact else str(error)
                _record_unreadable(con, path, fmt, chosen, sha256, problem)
                return FileResult(path, sha256, fmt, chosen, 1, 0, 1, "unreadable", problem=problem)
            adapters.prepare(con)
            chosen = adapter or adapters.detect(con)
            fields = adapters.stage(con, chosen, sha256=sha256)
            counts = normalize.write(
                con,
                fields,
                sha256=sha256,
                source_file=str(path),
                redact=redact,
                keep_raw=keep_raw,
            )
            if counts.accepted + counts.rejected != rows_read:  # a bug: one verdict a record
                raise AssertionError(
                    f"{path}: {counts.accepted} + {counts.rejected} != {rows_read} rows read"
                )
            if _hash(path) != sha256:
                raise _Changed
            _record(con, path, fmt, chosen, sha256, rows_read, counts)
    except _Changed:
        return FileResult(path, sha256, fmt, chosen, 0, 0, 0, "changed", problem=CHANGED)
    finally:
        normalize.drop_temp(con)
    return FileResult(
        path,
        sha256,
        fmt,
        chosen,
        rows_read,
        counts.accepted,
        counts.rejected,
        "ingested",
        rows_duplicate=counts.duplicates,
    )


def _hash(path: Path) -> str | None:
    """Return the file's SHA-256, or None when it has gone or cannot be opened any more."""
    try:
        return readers.sha256(path)
    except OSError:
        return None


def _record(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    fmt: str,
    adapter: str,
    sha256: str,
    rows_read: int,
    counts: normalize.Counts,
) -> None:
    """Insert the file's ``ingest_manifest`` row."""
    con.execute(
        "INSERT INTO ingest_manifest (source_sha256, source_file, format, adapter, rows_read, "
        "rows_accepted, rows_rejected, rows_duplicate, ingested_at) VALUES ($sha256, "
        "$source_file, $format, $adapter, $read, $accepted, $rejected, $duplicate, now())",
        {
            "sha256": sha256,
            "source_file": str(path),
            "format": fmt,
            "adapter": adapter,
            "read": rows_read,
            "accepted": counts.accepted,
            "rejected": counts.rejected,
            "duplicate": counts.duplicates,
        },
    )


def _record_unreadable(
    con: duckdb.DuckDBPyConnection, path: Path, fmt: str, adapter: str, sha256: str, problem: str
) -> None:
    """Record a file nothing of which can be read: one rejected record (line 0) and its manifest."""
    con.execute(
        "INSERT INTO rejected_records (source_sha256, source_file, line, reason, raw_text) "
        "VALUES ($sha256, $source_file, $line, $reason, NULL)",
        {"sha256": sha256, "source_file": str(path), "line": UNREADABLE_LINE, "reason": problem},
    )
    _record(con, path, fmt, adapter, sha256, 1, normalize.Counts(0, 1, 0))
