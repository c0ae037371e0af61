"""Sensors: start an ingest run when new or changed files appear in the landing folder."""

import json

import dagster as dg

from dagster_project.defs.audit import ingest_job
from spec_audit.config import landing_dir
from spec_audit.ingest.readers import expand


@dg.sensor(
    job=ingest_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED
)
def landing_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """Request one ingest run for the files that are new since the last tick (by name, size, mtime)."""
    folder = landing_dir()
    if not folder.is_dir():
        return dg.SkipReason(f"landing folder {folder} does not exist")
    seen: dict[str, list[float]] = json.loads(context.cursor) if context.cursor else {}
    current = {str(p): [p.stat().st_size, p.stat().st_mtime] for p, _ in expand([folder])}
    new = sorted(path for path, stamp in current.items() if seen.get(path) != stamp)
    if not new:
        return dg.SkipReason(f"no new files in {folder}")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=json.dumps([[p, current[p]] for p in new]),
                run_config={"ops": {"ingest": {"config": {"paths": new}}}},
            )
        ],
        cursor=json.dumps(current),
    )
