"""The Dagster code location: it loads, validates, and matches workspace.yaml and [tool.dg]."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import dagster as dg
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
TABLES = {
    "ingest_manifest",
    "rejected_records",
    "conversations",
    "turns",
    "signals",
    "evidence",
    "findings",
    "clause_metrics",
    "drift_tests",
    "disparity_tests",
    "change_points",
    "published_snapshot",
    "report_runs",
}


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from dagster_project.definitions import defs

    return defs


def test_workspace_matches_tool_dg() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["dg"]["project"]
    workspace = yaml.safe_load((ROOT / "workspace.yaml").read_text())
    [location] = workspace["load_from"]
    assert location["python_module"]["module_name"] == project["code_location_target_module"]
    assert location["python_module"]["location_name"] == project["code_location_name"]
    assert project["defs_module"] == "dagster_project.defs"


def test_asset_graph_has_every_table(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert keys == TABLES
    daily = {"signals", "evidence", "findings", "clause_metrics"}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert (node.partitions_def is not None) == (key.to_user_string() in daily), key
    upstream = {
        key.to_user_string(): {p.to_user_string() for p in graph.get(key).parent_keys}
        for key in graph.get_all_asset_keys()
    }
    assert upstream["signals"] == {"turns"}
    assert upstream["findings"] == {"signals"}
    assert upstream["clause_metrics"] == {"findings"}
    # the design effects of the statistics come from findings (turns clumped in conversations);
    # the change points date the drift tests' regressions
    assert upstream["drift_tests"] == {"clause_metrics", "findings", "change_points"}
    assert upstream["change_points"] == {"clause_metrics", "findings"}
    assert upstream["disparity_tests"] == {"signals"}
    assert upstream["report_runs"] == {"published_snapshot"}
    assert upstream["published_snapshot"] == {
        "clause_metrics",
        "drift_tests",
        "disparity_tests",
        "change_points",
    }
    checks = {key.name: key for key in graph.asset_check_keys}
    expectations = {
        f"{table}_expectations"
        for table in TABLES - {"evidence", "published_snapshot", "report_runs"}
    }
    assert set(checks) == {"no_regressed_clause", "no_rule_layer_regression", *expectations}


def test_schedule_and_sensor(defs: dg.Definitions) -> None:
    schedule = defs.resolve_schedule_def("daily_audit_schedule")
    assert schedule.cron_schedule == "0 3 * * *"
    assert schedule.job_name == "daily_audit"
    assert defs.resolve_sensor_def("landing_sensor").job_name == "ingest_landing"


def test_landing_sensor_requests_new_files_once(tmp_path: Path, monkeypatch) -> None:
    from dagster_project.defs.sensors import landing_sensor

    landing = tmp_path / "landing"
    landing.mkdir()
    monkeypatch.setenv("SPEC_AUDIT_LANDING", str(landing))
    skipped = landing_sensor(dg.build_sensor_context())
    assert isinstance(skipped, dg.SkipReason)

    (landing / "a.jsonl").write_text("{}\n")
    (landing / "notes.txt").write_text("not a log\n")
    first = landing_sensor(dg.build_sensor_context())
    [request] = first.run_requests
    assert request.run_config["ops"]["ingest"]["config"]["paths"] == [str(landing / "a.jsonl")]

    again = landing_sensor(dg.build_sensor_context(cursor=first.cursor))
    assert isinstance(again, dg.SkipReason)
    (landing / "b.jsonl").write_text("{}\n")
    second = landing_sensor(dg.build_sensor_context(cursor=first.cursor))
    [request] = second.run_requests
    assert request.run_config["ops"]["ingest"]["config"]["paths"] == [str(landing / "b.jsonl")]
    assert json.loads(second.cursor).keys() == {str(landing / "a.jsonl"), str(landing / "b.jsonl")}


def test_resources_follow_environment(monkeypatch, tmp_path: Path) -> None:
    from dagster_project.defs.resources import resources

    monkeypatch.setenv("SPEC_AUDIT_DB", str(tmp_path / "x.duckdb"))
    assert resources()["database"].path == str(tmp_path / "x.duckdb")


@pytest.mark.slow
def test_dagster_definitions_validate() -> None:
    dagster = Path(sys.executable).parent / "dagster"
    result = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DAGSTER_HOME": ""},
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation successful" in result.stdout + result.stderr
