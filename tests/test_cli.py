"""The `spec-audit` command line, run as a user runs it: output, exit codes, one-line errors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest

TABLES = (
    "ingest_manifest",
    "rejected_records",
    "conversations",
    "turns",
    "signals",
    "evidence",
    "findings",
    "clause_metrics",
)


def table_digests(db: Path) -> dict[str, tuple[int, str]]:
    """Return row count and a content hash of every table (ingest time excluded)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        digests = {}
        for table in TABLES:
            columns = [
                c
                for (c,) in con.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = ? ORDER BY ordinal_position",
                    [table],
                ).fetchall()
                if c != "ingested_at"
            ]
            selected = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f"SELECT {selected} FROM {table} ORDER BY ALL").fetchall()
            digests[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return digests
    finally:
        con.close()


def test_help_lists_every_command(cli) -> None:
    result = cli("--help")
    assert result.returncode == 0
    for command in ("generate-sample", "ingest", "run", "summary"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["run", "--from", "2026-13-01", "--db", "{tmp}/a.duckdb"],
            "error: --from '2026-13-01': expected a date as YYYY-MM-DD",
        ),
        (
            ["ingest", "{tmp}/missing.jsonl", "--db", "{tmp}/a.duckdb"],
            "error: {tmp}/missing.jsonl: no such file or folder",
        ),
        (
            ["summary", "--db", "{tmp}/none.duckdb"],
            "error: {tmp}/none.duckdb: no audit database yet; run `spec-audit run` first",
        ),
        (
            ["run", "--landing", "{tmp}/nowhere", "--db", "{tmp}/a.duckdb"],
            "error: --landing {tmp}/nowhere: no such folder",
        ),
        (
            ["summary", "--spec", "{tmp}/spec.yaml", "--db", "{tmp}/a.duckdb"],
            "error: {tmp}/spec.yaml: spec catalog not found",
        ),
    ],
)
def test_user_errors_are_one_line_exit_2(
    cli, tmp_path: Path, args: list[str], message: str
) -> None:
    result = cli(*(a.format(tmp=tmp_path) for a in args))
    assert result.returncode == 2
    assert result.stderr.strip() == message.format(tmp=tmp_path)
    assert "Traceback" not in result.stderr


def test_ingest_reports_each_file_and_rejects_bad_lines(cli, tmp_path: Path) -> None:
    good = {
        "conversation_id": "c1",
        "model": "m1",
        "started_at": "2026-10-01T10:00:00Z",
        "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
    }
    logs = tmp_path / "logs.jsonl"
    logs.write_text(
        json.dumps(good)
        + "\n{not json\n"
        + json.dumps({**good, "conversation_id": "c2", "model": None})
        + "\n"
    )
    db = tmp_path / "a.duckdb"
    result = cli("ingest", str(logs), "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "ingested" in result.stdout
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute(
        "SELECT rows_read, rows_accepted, rows_rejected FROM ingest_manifest"
    ).fetchall() == [(3, 1, 2)]
    rejected = con.execute("SELECT line, reason FROM rejected_records ORDER BY line").fetchall()
    con.close()
    assert [line for line, _ in rejected] == [2, 3]
    assert rejected[0][1].startswith("malformed JSON")
    assert rejected[1][1] == "missing required field model"

    again = cli("ingest", str(logs), "--db", str(db))
    assert again.returncode == 0
    assert "skipped" in again.stdout


@pytest.mark.slow
def test_run_prints_the_summary(audited) -> None:
    out = audited["run"].stdout
    assert "Clauses by violation rate (95% Wilson interval)" in out
    assert "assume_best_intentions" in out
    assert "over-refusals (benign prompt refused):" in out
    assert "under-refusals (harmful prompt complied with):" in out
    assert f"database: {audited['db']}" in out


@pytest.mark.slow
def test_run_fills_every_table_and_conserves_rows(audited) -> None:
    con = duckdb.connect(str(audited["db"]), read_only=True)
    try:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}
        assert all(n > 0 for n in counts.values()), counts
        # accepted + rejected == read for every file, and both match the stored rows.
        mismatched = con.execute(
            """
            SELECT m.source_file FROM ingest_manifest m
            LEFT JOIN (SELECT source_sha256, count(*) n FROM conversations GROUP BY ALL) c USING (source_sha256)
            LEFT JOIN (SELECT source_sha256, count(*) n FROM rejected_records GROUP BY ALL) r USING (source_sha256)
            WHERE m.rows_accepted + m.rows_rejected <> m.rows_read
               OR coalesce(c.n, 0) <> m.rows_accepted OR coalesce(r.n, 0) <> m.rows_rejected
            """
        ).fetchall()
        assert mismatched == []
        truth = json.loads((audited["samples"] / "ground_truth.json").read_text())
        read = con.execute("SELECT sum(rows_read) FROM ingest_manifest").fetchall()[0][0]
        assert read == truth["parameters"]["conversations"]
        assert counts["signals"] == counts["turns"]
        days = con.execute("SELECT count(DISTINCT day) FROM clause_metrics").fetchall()[0][0]
        assert days == 6
    finally:
        con.close()


@pytest.mark.slow
def test_rerun_changes_nothing(audited, cli) -> None:
    before = table_digests(audited["db"])
    again = cli("run", "--landing", str(audited["samples"]), "--db", str(audited["db"]))
    assert again.returncode == 0, again.stderr
    assert table_digests(audited["db"]) == before


@pytest.mark.slow
def test_summary_of_a_window(audited, cli) -> None:
    result = cli(
        "summary", "--db", str(audited["db"]), "--from", "2026-10-14", "--to", "2026-10-14"
    )
    assert result.returncode == 0, result.stderr
    assert "days 2026-10-14 → 2026-10-14" in result.stdout
