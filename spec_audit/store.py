"""The audit database: opening the DuckDB file with its schema, and transactions over it."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from spec_audit.errors import UserError

SCHEMA_SQL = Path(__file__).resolve().parent / "schema.sql"

# Columns added after the first release of schema.sql, for databases created before them.
_ADDED_COLUMNS = (
    # identical copies of stored conversations among a file's rejected records (issue #5)
    "ALTER TABLE ingest_manifest ADD COLUMN IF NOT EXISTS rows_duplicate BIGINT DEFAULT 0",
    # fingerprint of a conversation's content before redaction, to tell re-sent from conflicting
    "ALTER TABLE conversations ADD COLUMN IF NOT EXISTS content_sha256 VARCHAR",
    # change points carry a p-value and a family-wide BH q-value (issue #4)
    "ALTER TABLE change_points ADD COLUMN IF NOT EXISTS p_value DOUBLE",
    "ALTER TABLE change_points ADD COLUMN IF NOT EXISTS q_value DOUBLE",
    # design effects of turns clumped in conversations (issue #4)
    "ALTER TABLE change_points ADD COLUMN IF NOT EXISTS design_effect DOUBLE",
    "ALTER TABLE drift_tests ADD COLUMN IF NOT EXISTS a_design_effect DOUBLE",
    "ALTER TABLE drift_tests ADD COLUMN IF NOT EXISTS b_design_effect DOUBLE",
    # since when a window regression holds (issue #4)
    "ALTER TABLE drift_tests ADD COLUMN IF NOT EXISTS start_day DATE",
    "ALTER TABLE drift_tests ADD COLUMN IF NOT EXISTS dated_by VARCHAR",
    "ALTER TABLE change_points ADD COLUMN IF NOT EXISTS likeliest_rise_day DATE",
    "ALTER TABLE change_points ADD COLUMN IF NOT EXISTS likeliest_fall_day DATE",
)

#: Test-only hook: ``SPEC_AUDIT_TEST_PAUSE_AT=<point>:<n>`` makes the n-th transaction of the
#: process stop at ``<point>`` (``begin``: just after BEGIN; ``commit``: just before COMMIT),
#: write ``paused at <point>:<n>`` to stderr and sleep, so a test can kill it there.
PAUSE_ENV = "SPEC_AUDIT_TEST_PAUSE_AT"
_transactions = 0

# DuckDB reports these conditions only through the text of an IOException.
_LOCKED = re.compile(r"Could not set lock on file .*?Conflicting lock is held in (.*?)(?: See |$)")
_NOT_DUCKDB = re.compile(r"not a valid DuckDB database file", re.IGNORECASE)
_MISSING = re.compile(r"database does not exist", re.IGNORECASE)


def connect(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Return a connection to the DuckDB file at ``path``, with every spec-audit table created.

    The parent folder is created and ``schema.sql`` is run (idempotent) unless ``read_only``.
    The session time zone is UTC, because days and naive timestamps are UTC throughout.
    A locked file, a file that is not a DuckDB database, or a missing file opened read-only
    raise ``UserError`` naming the file.
    """
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as error:
        raise UserError(_describe(path, str(error))) from None
    con.execute("SET TimeZone = 'UTC'")
    if not read_only:
        con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
        for statement in _ADDED_COLUMNS:
            con.execute(statement)
    return con


def _describe(path: Path, message: str) -> str:
    """Return a one-line user message for a DuckDB open failure on ``path``."""
    message = " ".join(message.split())
    if locked := _LOCKED.search(message):
        holder = locked.group(1).rstrip(". ")
        return f"{path}: database is locked by another process ({holder}); close it and retry"
    if _NOT_DUCKDB.search(message):
        return f"{path}: not a DuckDB database file"
    if _MISSING.search(message):
        return f"{path}: database does not exist (cannot open it read-only)"
    return f"{path}: cannot open database ({message})"


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Return a context yielding ``con`` inside BEGIN; COMMIT on success, ROLLBACK on any error."""
    global _transactions
    _transactions += 1
    number = _transactions
    con.execute("BEGIN TRANSACTION")
    try:
        _pause("begin", number)
        yield con
        _pause("commit", number)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


@contextmanager
def memory_limit(con: duckdb.DuckDBPyConnection, limit: str) -> Iterator[None]:
    """Cap the memory of ``con``'s database at ``limit`` meanwhile, then restore the cap it had."""
    query = "SELECT current_setting('memory_limit')"
    previous = con.execute(query).fetchall()[0][0]
    con.execute("SET memory_limit = $limit", {"limit": limit})
    try:
        yield
    finally:
        # DuckDB prints the cap rounded down to a tenth of its unit, so setting the printed value
        # back would lower it each time: the default is restored by name, a cap of the caller's
        # by its printed value.
        con.execute("RESET memory_limit")
        if con.execute(query).fetchall()[0][0] != previous:
            con.execute("SET memory_limit = $limit", {"limit": previous})


def _pause(point: str, number: int) -> None:
    """Sleep at ``point`` of transaction ``number`` when the test hook asks for it (never else)."""
    wanted = os.environ.get(PAUSE_ENV)
    if wanted and wanted == f"{point}:{number}":
        # os.write: straight to the file descriptor, past any capture of sys.stderr.
        os.write(2, f"paused at {wanted}\n".encode())
        time.sleep(600)


def query(con: duckdb.DuckDBPyConnection, sql: str, params: object = None) -> pl.DataFrame:
    """Return the result of a parameterised query as a Polars frame (through Arrow, no row copies)."""
    return con.sql(sql, params=params).pl()
