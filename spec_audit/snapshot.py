"""The published snapshot: a read-only copy of the audit database for dashboards and reports.

An audit writes ``audit.duckdb``; readers open ``audit.snapshot.duckdb`` beside it, which is
replaced atomically (copy to a temporary file, then rename) after each audit. A reader that has
the old snapshot open keeps reading it undisturbed, and a running audit never blocks a reader.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from spec_audit.errors import UserError
from spec_audit.store import connect


def snapshot_path(db: Path) -> Path:
    """Return the snapshot file published for the database ``db``."""
    return db.with_name(f"{db.stem}.snapshot{db.suffix or '.duckdb'}")


def publish(db: Path) -> Path:
    """Return the snapshot path after copying ``db`` (checkpointed first) over it atomically."""
    if not db.exists():
        raise UserError(f"{db}: no audit database to publish; run `spec-audit run` first")
    con = connect(db)
    try:
        con.execute("CHECKPOINT")  # everything in the main file, nothing left in the WAL
    finally:
        con.close()
    target = snapshot_path(db)
    partial = target.with_name(f".{target.name}.partial")
    shutil.copyfile(db, partial)
    os.replace(partial, target)
    return target


def open_snapshot(db: Path) -> duckdb.DuckDBPyConnection:
    """Return a read-only connection to the published snapshot of ``db``."""
    target = snapshot_path(db)
    if not target.exists():
        raise UserError(f"{target}: no published snapshot yet; run `spec-audit run` first")
    return connect(target, read_only=True)
