"""The Dagster side of reports: the weekly and monthly schedules, and the report_runs asset."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.reports.conftest import build_database


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from dagster_project.definitions import defs

    return defs


@pytest.mark.parametrize(
    ("name", "cron", "tick", "period"),
    [
        ("weekly_report_schedule", "0 6 * * 1", dt.datetime(2026, 10, 19, 6, tzinfo=dt.UTC), "week"),
        ("monthly_report_schedule", "0 6 1 * *", dt.datetime(2026, 11, 1, 6, tzinfo=dt.UTC), "month"),
    ],
)  # fmt: skip
def test_report_schedules_exist(defs, name, cron, tick, period) -> None:
    schedule = next(s for s in defs.schedules if s.name == name)
    assert schedule.cron_schedule == cron
    assert schedule.execution_timezone == "UTC"
    assert schedule.job_name == "report_job"
    [request] = schedule.evaluate_tick(
        dg.build_schedule_context(scheduled_execution_time=tick)
    ).run_requests
    stamp = tick.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert request.run_config == {
        "ops": {"report_runs": {"config": {"period": period, "generated_at": stamp}}}
    }


def test_report_runs_asset_writes_the_last_full_week(tmp_path: Path, defs) -> None:
    from dagster_project.defs.reports import report_runs
    from dagster_project.defs.resources import AuditDatabase, SpecCatalog
    from spec_audit.config import spec_path

    db = tmp_path / "audit.duckdb"
    build_database(db)
    result = dg.materialize(
        [report_runs],
        resources={"database": AuditDatabase(path=str(db)), "spec": SpecCatalog(path=str(spec_path()))},
        run_config={"ops": {"report_runs": {"config": {
            "period": "week", "generated_at": "2026-10-12T06:00:00Z", "formats": "json,csv"}}}},
    )  # fmt: skip
    assert result.success
    out = tmp_path / "reports" / "weekly-2026-10-05_2026-10-11"
    assert sorted(p.name for p in out.iterdir()) == [
        "SHA256SUMS", "clauses.csv", "findings.csv", "manifest.json", "report.json",
    ]  # fmt: skip
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "SELECT kind, period_start, period_end, formats, files, clauses_violated, "
        "clauses_regressed, out_dir FROM report_runs"
    ).fetchall()
    con.close()
    assert rows == [
        ("weekly", dt.date(2026, 10, 5), dt.date(2026, 10, 11), ["json", "csv"], 5, 2, 1, str(out))
    ]
    shutil.rmtree(out)
