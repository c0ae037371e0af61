"""Where ingest's time goes: wall and CPU seconds per SQL statement and per Python step.

    python benchmarks/ingest_profile.py LANDING --db /tmp/profile.duckdb

Ingests ``LANDING`` into a fresh database through a connection that times every ``execute``
(labelled by the SQL file or the table it writes), and times the Python steps around them
(reading the files, PII redaction). CPU seconds are the process's, all threads included: on a
shared machine they are steadier than wall seconds. Nothing is written to RESULTS.md.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from spec_audit import store
from spec_audit.ingest import adapters, ingest_paths, load, readers, redaction
from spec_audit.pii import redact as pii_redact

WALL: Counter[str] = Counter()
CPU: Counter[str] = Counter()

_SQL_FILES = {
    name: adapters.sql(name).strip().splitlines()[0]
    for name in ("macros", "detect", "records_text", "checks", "conversations", "turns", "rejected")
}


def _label(sql: str) -> str:
    """Return a short name for a statement: its SQL file, or the table it writes."""
    if "sha256(to_json" in sql:
        return "content.sql + adapter"
    first = sql.strip().splitlines()[0] if sql.strip() else ""
    for name, head in _SQL_FILES.items():
        if first == head:
            return f"{name}.sql"
    table = re.search(r"(?:TABLE|INTO|UPDATE|MACRO)\s+(\w+)", sql)
    return table.group(1) if table else " ".join(sql.split())[:40]


def _timed(label: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        return call(*args, **kwargs)
    finally:
        WALL[label] += time.perf_counter() - wall
        CPU[label] += time.process_time() - cpu


class TimedConnection:
    """A DuckDB connection whose ``execute`` calls are timed; everything else passes through."""

    def __init__(self, con: Any) -> None:
        self._con = con

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        return _timed("sql: " + _label(sql), self._con.execute, sql, *args, **kwargs)


def _wrap(module: Any, name: str, label: str) -> None:
    original = getattr(module, name)
    setattr(module, name, lambda *a, **k: _timed(label, original, *a, **k))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("landing", type=Path)
    parser.add_argument("--db", type=Path, required=True)
    args = parser.parse_args()
    _wrap(readers, "load_records", "py: load_records (read + records SQL)")
    _wrap(redaction, "redact_staged", "py: redact_staged (total)")
    _wrap(redaction, "rejected", "py: redact rejected (total)")
    _wrap(pii_redact, "candidates", "py:   PII candidate pass")
    _wrap(load, "_hash", "py: file SHA-256")
    for path in args.db.parent.glob(args.db.name + "*"):
        path.unlink()
    con = store.connect(args.db)
    wall, cpu = time.perf_counter(), time.process_time()
    results = ingest_paths(TimedConnection(con), [args.landing])  # type: ignore[arg-type]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    con.close()
    accepted = sum(r.rows_accepted for r in results)
    print(f"ingest: {wall:.2f} s wall, {cpu:.2f} s CPU, {accepted:,} conversations accepted")
    print(f"{accepted / cpu:,.0f} conversations per CPU second")
    print("| step | wall s | CPU s |\n|---|---:|---:|")
    for label, seconds in sorted(WALL.items(), key=lambda item: -CPU[item[0]]):
        if CPU[label] >= 0.05:
            print(f"| {label} | {seconds:.2f} | {CPU[label]:.2f} |")


if __name__ == "__main__":
    main()
