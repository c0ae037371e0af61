"""Materialise the code location's assets in this process, without the UI (used by `spec-audit run`).

The same asset definitions the Dagster UI shows are executed here with explicit resources, so the
CLI and a scheduled Dagster run produce identical tables.
"""

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from dagster_project.defs.audit import clause_metrics, findings, signals
from dagster_project.defs.ingest import ingest
from dagster_project.defs.resources import AuditDatabase, SpecCatalog
from dagster_project.defs.statistics import change_points, disparity_tests, drift_tests
from dagster_project.partitions import daily
from spec_audit.errors import UserError
from spec_audit.progress import Progress, silent

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def _instance() -> dg.DagsterInstance:
    # With DAGSTER_HOME set, runs are recorded where `dagster dev` shows them.
    return (
        dg.DagsterInstance.get()
        if os.environ.get("DAGSTER_HOME")
        else dg.DagsterInstance.ephemeral()
    )


def materialize_ingest(db: Path, paths: Sequence[Path], adapter: str | None = None) -> None:
    """Run the ingest asset over ``paths``."""
    result = dg.materialize(
        [ingest],
        instance=_instance(),
        resources={"database": AuditDatabase(path=str(db))},
        run_config={
            **QUIET,
            "ops": {"ingest": {"config": {"paths": [str(p) for p in paths], "adapter": adapter}}},
        },
    )
    if not result.success:
        raise RuntimeError("ingest run failed")


def materialize_audit(
    db: Path, spec: Path, first: dt.date, last: dt.date, progress: Progress = silent
) -> None:
    """Run signals, findings and clause_metrics over the days [first, last] in one run."""
    keys = daily.get_partition_keys()
    lo, hi = first.isoformat(), last.isoformat()
    if lo not in keys or hi not in keys:
        raise UserError(
            f"days {lo}..{hi} are outside the daily partitions {keys[0]}..{keys[-1]} "
            "(set SPEC_AUDIT_PARTITIONS_START for earlier data)"
        )
    result = dg.materialize(
        [signals, findings, clause_metrics],
        instance=_instance(),
        resources={
            "database": AuditDatabase(path=str(db)),
            "spec": SpecCatalog(path=str(spec)),
            "progress": progress,
        },
        run_config=QUIET,
        tags={
            "dagster/asset_partition_range_start": lo,
            "dagster/asset_partition_range_end": hi,
        },
    )
    if not result.success:
        raise RuntimeError("audit run failed")


def materialize_statistics(db: Path, spec: Path, first: dt.date, last: dt.date) -> list[str]:
    """Run drift tests, disparity tests and change points over [first, last].

    Returns the names of the asset checks that failed: a regressed rule-layer clause fails the
    blocking check by design, which is a finding to report, not a crash.
    """
    window = {"start": first.isoformat(), "end": last.isoformat()}
    result = _materialize_statistics(db, spec, window)
    failed_checks = [
        evaluation.check_name
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed
    ]
    errors = [
        event.step_failure_data.error
        for event in result.all_events
        if event.is_step_failure
        and event.step_failure_data.error is not None
        and event.step_failure_data.error.cls_name != "DagsterAssetCheckFailedError"
    ]
    if errors:
        raise RuntimeError(f"statistics run failed:\n{errors[0].to_string()}")
    return failed_checks


def _materialize_statistics(
    db: Path, spec: Path, window: dict[str, str]
) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [drift_tests, disparity_tests, change_points],
        instance=_instance(),
        resources={"database": AuditDatabase(path=str(db)), "spec": SpecCatalog(path=str(spec))},
        run_config={
            # The intended blocking-check failure is reported by the caller, not logged as an error.
            "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
            "ops": {
                name: {"config": window}
                for name in ("drift_tests", "disparity_tests", "change_points")
            },
        },
        raise_on_error=False,
    )
