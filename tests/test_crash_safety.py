"""Crash safety: a real `kill -9` of `spec-audit ingest` and `spec-audit run` mid-transaction.

The test-only hook ``SPEC_AUDIT_TEST_PAUSE_AT=<begin|commit>:<n>`` (spec_audit/store.py) makes
the n-th transaction of the process stop there and say so on stderr; the test then kills the
process with SIGKILL. The database must hold exactly what the committed transactions wrote
(whole files for ingest, whole batches of days for the audit), and a rerun must give exactly
the tables of an uninterrupted run.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from pathlib import Path

import duckdb
import pytest

from spec_audit.ingest import ingest_paths
from spec_audit.store import connect
from tests.conftest import SPEC_AUDIT, run_cli

CORPUS = Path(__file__).parent / "corpus"
#: Columns holding the moment something was written: they differ between any two runs.
MOMENTS = {"ingested_at", "measured_at", "published_at", "created_at", "run_at", "generated_at"}
#: Logs of runs (one row per validation or report run, one per day written), not results: a killed
#: run and its rerun rightly log two runs (two writes of a day) where an uninterrupted run logs one.
RUN_LOGS = {"validation_results", "report_runs", "day_writes"}

pytestmark = pytest.mark.slow


def dump(db: Path) -> dict[str, list[tuple]]:
    """Return every table's full content (without write timestamps), sorted."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [
            row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        ]
        content = {}
        for table in sorted(set(tables) - RUN_LOGS):
            columns = [
                row[0]
                for row in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                    "ORDER BY column_index",
                    [table],
                ).fetchall()
                if row[0] not in MOMENTS
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            content[table] = con.execute(f'SELECT {select} FROM "{table}" ORDER BY ALL').fetchall()
        return content
    finally:
        con.close()


def killed_at(point: str, *args: str) -> None:
    """Run `spec-audit ARGS` until it pauses at ``point``, then kill it with SIGKILL."""
    process = subprocess.Popen(
        [SPEC_AUDIT, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SPEC_AUDIT_TEST_PAUSE_AT": point},
    )
    paused = threading.Event()

    def watch() -> None:
        for line in process.stderr:
            if line.strip() == f"paused at {point}":
                paused.set()

    threading.Thread(target=watch, daemon=True).start()
    try:
        assert paused.wait(timeout=300), f"never paused at {point}"
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=60) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()


def test_a_killed_ingest_keeps_whole_files_and_the_rerun_matches(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    names = ["embedded.csv", "export_a.jsonl", "malformed.jsonl"]  # ingested in this order
    for name in names:
        shutil.copy(CORPUS / name, landing / name)

    # The states a kill may leave: the CLI calls the same ingest_paths as these references.
    states = {}
    for state, paths in (("empty", []), ("first", [landing / names[0]]), ("full", [landing])):
        states[state] = tmp_path / f"{state}.duckdb"
        con = connect(states[state])
        ingest_paths(con, paths)
        con.close()
    empty, first_only, full = states.values()

    # Killed inside the first file's transaction: as if it never ran.
    db = tmp_path / "a.duckdb"
    connect(db).close()
    killed_at("commit:1", "ingest", str(landing), "--db", str(db))
    assert dump(db) == dump(empty)
    # Killed just before committing the second file: the first file is there, whole.
    killed_at("commit:2", "ingest", str(landing), "--db", str(db))
    assert dump(db) == dump(first_only)
    # The rerun skips the first file and gives exactly the uninterrupted result.
    assert run_cli("ingest", str(landing), "--db", str(db)).returncode == 0
    assert dump(db) == dump(full)


def test_a_killed_audit_keeps_whole_batches_and_the_rerun_matches(tmp_path):
    samples, base = tmp_path / "samples", tmp_path / "base.duckdb"
    generated = run_cli(
        "generate-sample", "--conversations", "300", "--days", "5", "--seed", "5",
        "--start", "2026-10-13", "--out", str(samples),
    )  # fmt: skip
    assert generated.returncode == 0, generated.stderr
    assert run_cli("ingest", str(samples), "--db", str(base)).returncode == 0
    before = dump(base)

    reference = tmp_path / "reference.duckdb"
    shutil.copy(base, reference)
    done = run_cli("run", "--no-ingest", "--db", str(reference))
    assert done.returncode == 0, done.stderr
    after = dump(reference)
    assert len(after["findings"]) > 1000

    db = tmp_path / "audit.duckdb"
    shutil.copy(base, db)
    # Transactions of the run: 1 labels the days (signals, evidence), 2 judges them (findings).
    killed_at("commit:2", "run", "--no-ingest", "--db", str(db))
    state = dump(db)
    assert state["signals"] == after["signals"] and state["evidence"] == after["evidence"]
    assert state["findings"] == before["findings"] == []
    assert state["clause_metrics"] == before["clause_metrics"] == []
    assert {t: rows for t, rows in state.items() if t not in ("signals", "evidence")} == {
        t: rows for t, rows in before.items() if t not in ("signals", "evidence")
    }

    killed_at("begin:1", "run", "--no-ingest", "--db", str(db))
    assert dump(db) == state
    rerun = run_cli("run", "--no-ingest", "--db", str(db))
    assert rerun.returncode == 0, rerun.stderr
    assert dump(db) == after
