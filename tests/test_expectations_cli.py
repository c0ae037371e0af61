"""`spec-audit validate` through the real CLI, and the suites as Dagster asset checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from spec_audit import store

CHECKS = {
    "ingest_manifest_expectations": ("ingest_manifest", False),
    "rejected_records_expectations": ("rejected_records", False),
    "conversations_expectations": ("conversations", False),
    "turns_expectations": ("turns", True),
    "signals_expectations": ("signals", True),
    "findings_expectations": ("findings", True),
    "clause_metrics_expectations": ("clause_metrics", True),
    "drift_tests_expectations": ("drift_tests", False),
    "disparity_tests_expectations": ("disparity_tests", False),
    "change_points_expectations": ("change_points", False),
}


@pytest.fixture()
def copy(audited: dict[str, object], tmp_path: Path) -> Path:
    db = tmp_path / "audit.duckdb"
    shutil.copyfile(audited["db"], db)
    con = store.connect(db)
    con.execute("DELETE FROM validation_results")  # `spec-audit run` validated it already
    con.close()
    return db


@pytest.mark.slow
def test_validate_passes_on_a_good_database(cli, copy: Path) -> None:
    result = cli("validate", "--db", str(copy), "--table", "turns", "--table", "findings")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "  33 checks, 0 failed (0 blocking): the data can be trusted downstream"
    assert any(line.startswith("│ turns ") and "│     17 │     17 │" in line for line in lines)
    con = store.connect(copy, read_only=True)
    try:
        stored = con.execute(
            "SELECT count(*), count(DISTINCT run_id) FROM validation_results"
        ).fetchall()
    finally:
        con.close()
    assert stored == [(33, 1)]


@pytest.mark.slow
def test_validate_exits_1_on_a_blocking_failure(cli, copy: Path) -> None:
    con = store.connect(copy)
    try:
        con.execute(
            "UPDATE findings SET verdict = 'maybe' "
            "WHERE rowid IN (SELECT rowid FROM findings ORDER BY rowid LIMIT 4)"
        )
    finally:
        con.close()
    result = cli("validate", "--db", str(copy), "--table", "findings")
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "Failed checks" in out
    [row] = [line for line in out.splitlines() if "verdict is compliant" in line]
    assert (
        "│ verdict " in row and "│ error " in row and "│ FAIL " in row and "│          4 │" in row
    )
    assert out.splitlines()[-1] == "  16 checks, 1 failed (1 blocking)"


def test_validate_user_errors(cli, tmp_path: Path) -> None:
    store.connect(tmp_path / "audit.duckdb").close()
    result = cli("validate", "--db", str(tmp_path / "audit.duckdb"), "--table", "evidence")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: --table 'evidence': no suite for it (tables: ingest_manifest, rejected_records, "
        "conversations, turns, signals, findings, clause_metrics, drift_tests, disparity_tests, "
        "change_points)"
    ]
    missing = cli("validate", "--db", str(tmp_path / "none.duckdb"))
    assert (missing.returncode, missing.stderr.strip()) == (
        2,
        f"error: {tmp_path / 'none.duckdb'}: no audit database yet; run `spec-audit run` first",
    )


def test_every_suite_is_an_asset_check() -> None:
    from dagster_project.definitions import defs

    graph = defs.resolve_asset_graph()
    checks = {
        key.name: (key.asset_key.to_user_string(), graph.get_check_spec(key).blocking)
        for key in graph.asset_check_keys
        if key.name.endswith("_expectations")
    }
    assert checks == CHECKS


@pytest.mark.slow
def test_blocking_check_failure_stops_downstream_assets(
    audited: dict[str, object], copy: Path
) -> None:
    from dagster_project.defs.audit import signals
    from dagster_project.defs.checks import turns_expectations
    from dagster_project.defs.ingest import ingest
    from dagster_project.defs.resources import AuditDatabase, SpecCatalog
    from spec_audit.config import spec_path
    from spec_audit.progress import silent

    con = store.connect(copy)
    try:
        con.execute(
            "UPDATE turns SET started_at = TIMESTAMPTZ '2099-01-01 00:00:00+00' "
            "WHERE turn_id IN (SELECT turn_id FROM turns ORDER BY turn_id LIMIT 2)"
        )
        before = con.execute("SELECT count(*) FROM signals").fetchall()[0][0]
    finally:
        con.close()
    result = dg.materialize(
        [ingest, turns_expectations, signals],
        instance=dg.DagsterInstance.ephemeral(),
        resources={
            "database": AuditDatabase(path=str(copy)),
            "spec": SpecCatalog(path=str(spec_path())),
            "progress": silent,
        },
        run_config={
            "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
            # Already ingested files are skipped: the run only checks turns, then labels.
            "ops": {"ingest": {"config": {"paths": [str(audited["samples"])]}}},
        },
        partition_key="2026-10-14",
        raise_on_error=False,
    )
    [evaluation] = result.get_asset_check_evaluations()
    assert (evaluation.check_name, evaluation.passed) == ("turns_expectations", False)
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.metadata["unexpected_count"].value == 4  # range and day checks, 2 rows each
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "signals" not in materialized and "turns" in materialized
    con = store.connect(copy, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM signals").fetchall()[0][0] == before
        stored = con.execute(
            "SELECT count(*) FILTER (WHERE NOT success), min(run_id) FROM validation_results"
        ).fetchall()[0]
    finally:
        con.close()
    assert stored == (2, result.run_id)
