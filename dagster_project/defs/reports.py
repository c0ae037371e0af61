"""Compliance reports on a schedule: the last full week every Monday, the last month on the 1st.

The asset ``report_runs`` writes one report folder from the published snapshot (the same code as
`spec-audit report`) and appends a row to the ``report_runs`` table. The schedules pass the tick
time as the report's generation time, so re-running a tick regenerates the same bytes.
"""

import datetime as dt
from pathlib import Path

import dagster as dg

from dagster_project.defs.resources import AuditDatabase, SpecCatalog
from spec_audit.reports import FORMATS
from spec_audit.reports.evidence import EXAMPLES_PER_CLAUSE
from spec_audit.reports.generate import generate_report, last_full_period, parse_formats
from spec_audit.reports.manifest import file_sha256, parse_generated_at
from spec_audit.reports.verify import SUMS
from spec_audit.snapshot import snapshot_path

KINDS = {"week": "weekly", "month": "monthly"}


class ReportConfig(dg.Config):
    """Which report to write: the last full ``period`` before ``generated_at``, or [start, end]."""

    period: str = "week"  # week or month
    start: str | None = None  # YYYY-MM-DD; with end, overrides period
    end: str | None = None
    generated_at: str | None = None  # ISO 8601; default: now
    models: list[str] | None = None  # default: every model
    formats: str = ",".join(FORMATS)
    examples: int = EXAMPLES_PER_CLAUSE
    out_dir: str | None = None  # default: reports/<kind>-<start>_<end> beside the database


@dg.asset(deps=["published_snapshot"], group_name="reports")
def report_runs(
    context: dg.AssetExecutionContext,
    config: ReportConfig,
    database: AuditDatabase,
    spec: SpecCatalog,
) -> dg.MaterializeResult:
    """One row per compliance report folder written (HTML, PDF, JSON, CSV, manifest, SHA256SUMS)."""
    stamp = parse_generated_at(config.generated_at)
    if config.start and config.end:
        kind = "manual"
        start, end = dt.date.fromisoformat(config.start), dt.date.fromisoformat(config.end)
    else:
        kind = KINDS.get(config.period, config.period)
        start, end = last_full_period(config.period, dt.date.fromisoformat(stamp[:10]))
    db = Path(database.path)
    out = (
        Path(config.out_dir) if config.out_dir else db.parent / "reports" / f"{kind}-{start}_{end}"
    )
    catalog = spec.load()
    result = generate_report(
        db,
        catalog,
        start=start,
        end=end,
        out=out,
        generated_at=stamp,
        models=config.models or (),
        formats=config.formats,
        examples_per_clause=config.examples,
        force=True,  # a rerun of the same period replaces its folder
    )
    body = result.report.body
    row = {
        "run_id": context.run.run_id,
        "kind": kind,
        "period_start": start,
        "period_end": end,
        "spec_id": catalog.spec_id,
        "spec_version": catalog.version,
        "models": sorted(config.models or ()),
        "formats": list(parse_formats(config.formats)),
        "out_dir": str(out),
        "generated_at": dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")),
        "snapshot_sha256": body["manifest"]["database_snapshot"]["sha256"],
        "sums_sha256": file_sha256(out / SUMS),
        "files": len(result.files),
        "clauses_violated": sum(1 for c in body["clauses"] if c["violations"]),
        "clauses_regressed": len(body["executive_summary"]["regressed"]),
    }
    with database.connect() as con:
        con.execute(
            f"INSERT INTO report_runs ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()),
        )
    return dg.MaterializeResult(
        metadata={
            "out_dir": str(out),
            "period": f"{start}..{end}",
            "snapshot": str(snapshot_path(db)),
            "sums_sha256": row["sums_sha256"],
            "clauses_violated": row["clauses_violated"],
            "clauses_regressed": row["clauses_regressed"],
        }
    )


report_job = dg.define_asset_job("report_job", selection=["report_runs"])


def _request(context: dg.ScheduleEvaluationContext, period: str) -> dg.RunRequest:
    tick = context.scheduled_execution_time.astimezone(dt.UTC)
    stamp = tick.strftime("%Y-%m-%dT%H:%M:%SZ")
    return dg.RunRequest(
        run_key=f"{KINDS[period]}-report-{stamp}",
        run_config={"ops": {"report_runs": {"config": {"period": period, "generated_at": stamp}}}},
    )


@dg.schedule(
    job=report_job, cron_schedule="0 6 * * 1", execution_timezone="UTC",
    name="weekly_report_schedule",
)  # fmt: skip
def weekly_report_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """Every Monday 06:00 UTC: the report of the last full week (Monday to Sunday)."""
    return _request(context, "week")


@dg.schedule(
    job=report_job, cron_schedule="0 6 1 * *", execution_timezone="UTC",
    name="monthly_report_schedule",
)  # fmt: skip
def monthly_report_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """On the 1st of every month, 06:00 UTC: the report of the last calendar month."""
    return _request(context, "month")
