"""The Dagster statistics assets and their checks, materialised on the hand-built database."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from dagster_project.defs.resources import AuditDatabase, SpecCatalog
from dagster_project.defs.statistics import change_points, disparity_tests, drift_tests
from spec_audit.config import spec_path
from spec_audit.store import connect

WINDOW = {"config": {"start": "2026-10-01", "end": "2026-10-14"}}


def materialize(db: Path, run_config: dict) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [drift_tests, disparity_tests, change_points],
        resources={
            "database": AuditDatabase(path=str(db)),
            "spec": SpecCatalog(path=str(spec_path())),
        },
        run_config=run_config,
        raise_on_error=False,
    )


def test_rule_regression_fails_the_blocking_check(db: Path) -> None:
    result = materialize(
        db, {"ops": {name: WINDOW for name in ("drift_tests", "disparity_tests", "change_points")}}
    )
    checks = {e.check_name: (e.passed, e.severity) for e in result.get_asset_check_evaluations()}
    assert checks == {
        "no_regressed_clause": (False, dg.AssetCheckSeverity.WARN),
        "no_rule_layer_regression": (False, dg.AssetCheckSeverity.ERROR),
    }
    # The blocking ERROR check fails the drift step; the other assets still materialise.
    assert not result.success
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert materialized == {"drift_tests", "disparity_tests", "change_points"}
    [drift] = [
        e.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.asset_key.to_user_string() == "drift_tests"
    ]
    assert drift["window"].value == "2026-10-01..2026-10-14"
    assert drift["verdict_regressed"].value == 2
    assert "| window | assume_best_intentions | rule |" in drift["top_regressions"].value
    con = connect(db)
    assert con.execute("SELECT count(*) FROM change_points").fetchall() == [(4,)]


def test_default_window_and_passing_checks(db: Path) -> None:
    con = connect(db)
    con.execute("DELETE FROM clause_metrics WHERE clause_id = 'assume_best_intentions'")
    con.close()
    result = materialize(db, {"ops": {"drift_tests": {"config": {"window_days": 14}}}})
    assert result.success
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {"no_regressed_clause": True, "no_rule_layer_regression": True}
