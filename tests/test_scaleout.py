"""Scale-out: days audited in parallel (Parquet hand-off, one writer) equal the serial audit."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import types
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest
import yaml

from spec_audit import audit, config, scaleout, store
from spec_audit.errors import UserError
from spec_audit.spec.catalog import load_catalog
from tests.conftest import generated_database

ROOT = Path(__file__).resolve().parent.parent
TABLES = {
    "signals": "turn_id",
    "evidence": "turn_id, signal",
    "findings": "turn_id, clause_id",
    "clause_metrics": "day, model, surface, clause_id",
}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a database holding four days of generated turns, ingested and not yet audited."""
    return generated_database(
        tmp_path_factory.mktemp("scaleout"), conversations=240, days=4, seed=11
    )


def _copy(db: Path, name: str) -> Path:
    target = db.with_name(name)
    shutil.copyfile(db, target)
    return target


def _serial(db: Path) -> Path:
    serial = _copy(db, "serial.duckdb")
    con = store.connect(serial)
    try:
        audit.audit(con, audit.days_with_turns(con), load_catalog(config.spec_path()))
    finally:
        con.close()
    return serial


def _tables(db: Path) -> dict[str, pl.DataFrame]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            table: con.sql(
                f"SELECT * EXCLUDE (rowid) FROM (SELECT rowid, * FROM {table}) ORDER BY {order}"
            ).pl()
            for table, order in TABLES.items()
        }
    finally:
        con.close()


def _assert_same(a: Path, b: Path) -> None:
    left, right = _tables(a), _tables(b)
    for table in TABLES:
        assert left[table].height > 0, table
        assert left[table].equals(right[table]), table


def test_staged_days_merge_to_the_serial_tables(ingested: Path, tmp_path: Path) -> None:
    parallel = _copy(ingested, "staged.duckdb")
    catalog = load_catalog(config.spec_path())
    con = store.connect(parallel, read_only=True)
    days = audit.days_with_turns(con)
    con.close()
    assert len(days) >= 3
    for day in days:
        staged = scaleout.stage_day(parallel, day, catalog, str(tmp_path / "staging"))
        assert staged["signals"] > 0
    assert sorted(p.name for p in (tmp_path / "staging" / days[0].isoformat()).iterdir()) == [
        "clause_metrics.parquet",
        "evidence.parquet",
        "findings.parquet",
        "signals.parquet",
    ]
    con = store.connect(parallel)
    try:
        written = scaleout.merge_days(con, days, catalog, str(tmp_path / "staging"))
    finally:
        con.close()
    assert written["findings"] > written["signals"] > 0
    _assert_same(_serial(ingested), parallel)


def test_merging_a_day_again_replaces_it(ingested: Path, tmp_path: Path) -> None:
    db = _copy(ingested, "twice.duckdb")
    catalog = load_catalog(config.spec_path())
    day = dt.date.fromisoformat(_first_day(db))
    scaleout.stage_day(db, day, catalog, str(tmp_path))
    con = store.connect(db)
    try:
        first = scaleout.merge_days(con, [day], catalog, str(tmp_path))
        second = scaleout.merge_days(con, [day], catalog, str(tmp_path))
        stored = con.execute("SELECT count(*) FROM findings").fetchall()[0][0]
    finally:
        con.close()
    assert first == second
    assert stored == first["findings"]


def _first_day(db: Path) -> str:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return str(con.execute("SELECT min(day) FROM turns").fetchall()[0][0])
    finally:
        con.close()


@pytest.mark.slow
def test_parallel_backfill_equals_serial_run(ingested: Path, tmp_path: Path, monkeypatch) -> None:
    """The Dagster job, 2 days at a time in separate processes, gives the serial tables."""
    from dagster_project.defs.scaleout import job_with_resources

    parallel = _copy(ingested, "parallel.duckdb")
    # Step processes are spawned, and a spawned process first re-runs the parent's __main__. In a
    # full pytest run Streamlit's AppTest (tests/dashboards) leaves dashboards/app.py there, which
    # cannot run outside Streamlit; a real `dagster` process has its own entry point instead.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    # Step processes rebuild the job's resources from these settings.
    monkeypatch.setenv("SPEC_AUDIT_DB", str(parallel))
    monkeypatch.setenv("SPEC_AUDIT_STAGING", str(tmp_path / "staging"))
    (tmp_path / "dagster").mkdir()
    with (
        dg.instance_for_test(temp_dir=str(tmp_path / "dagster")) as instance,
        dg.execute_job(
            dg.reconstructable(job_with_resources),
            instance=instance,
            run_config={"execution": {"config": {"max_concurrent": 2}}},
        ) as result,
    ):
        assert result.success
        steps = {
            event.step_key
            for event in result.all_events
            if event.event_type == dg.DagsterEventType.STEP_SUCCESS
        }
    days = {p.name for p in (tmp_path / "staging").iterdir()}
    assert len(days) >= 3
    assert {f"audit_day[{d.replace('-', '_')}]" for d in days} <= steps
    _assert_same(_serial(ingested), parallel)


def _run_config(name: str) -> dict:
    return yaml.safe_load((ROOT / "deploy" / name / "parallel_audit.yaml").read_text())


def test_local_run_config_validates() -> None:
    from dagster_project.defs.scaleout import job_with_resources

    resolved = dg.validate_run_config(job_with_resources(), _run_config("local"))
    assert resolved["execution"]["multiprocess"]["max_concurrent"] == 2
    assert resolved["ops"]["plan_days"]["config"] == {"start": "2026-10-01", "end": "2026-10-30"}


def test_k8s_run_config_validates_against_dagster_k8s(monkeypatch) -> None:
    """deploy/k8s/ is checked against the k8s_job_executor's schema where dagster-k8s is installed."""
    pytest.importorskip("dagster_k8s")
    from dagster_project.defs import scaleout

    monkeypatch.setenv(scaleout.EXECUTOR_ENV, "k8s")
    job = dg.Definitions(
        jobs=[scaleout.parallel_audit.with_executor_def(scaleout.executor())],
        resources=_resources(),
    ).resolve_job_def("parallel_audit")
    config = _run_config("k8s")
    assert dg.validate_run_config(job, config)["resources"]["staging"]["config"]["url"].startswith(
        "s3://"
    )


def test_unknown_executor_is_a_user_error(monkeypatch) -> None:
    from dagster_project.defs import scaleout

    monkeypatch.setenv(scaleout.EXECUTOR_ENV, "threads")
    with pytest.raises(UserError, match="expected multiprocess or k8s"):
        scaleout.executor()


def _resources() -> dict[str, object]:
    from dagster_project.defs.resources import resources

    return resources()
