"""The daily audit assets: signals and evidence, findings, clause_metrics (one partition a day).

Each asset has a single-run backfill policy, so a range of days is one run that replaces each day
in its own transaction (see spec_audit.partition).
"""

import dagster as dg

from dagster_project.defs.resources import AuditDatabase, SpecCatalog
from dagster_project.partitions import daily, days_of
from spec_audit import audit
from spec_audit.progress import Progress

AUDIT = {
    "partitions_def": daily,
    "backfill_policy": dg.BackfillPolicy.single_run(),
    "group_name": "audit",
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            "signals",
            deps=["turns"],
            description="One row per turn, one column per registered signal (transforms/).",
        ),
        dg.AssetSpec(
            "evidence",
            deps=["turns"],
            description="The text span each signal value rests on: turn, signal, source, offsets.",
        ),
    ],
    **AUDIT,
)
def signals(
    context: dg.AssetExecutionContext, database: AuditDatabase, progress: dg.ResourceParam[Progress]
):
    """Label the turns of each day with every signal and its evidence."""
    with database.connect() as con:
        turns = audit.label(con, days_of(context), progress)
    yield dg.MaterializeResult(asset_key="signals", metadata={"turns_labelled": turns})
    yield dg.MaterializeResult(asset_key="evidence", metadata={"turns_labelled": turns})


@dg.asset(deps=["signals"], **AUDIT)
def findings(
    context: dg.AssetExecutionContext,
    database: AuditDatabase,
    spec: SpecCatalog,
    progress: dg.ResourceParam[Progress],
) -> dg.MaterializeResult:
    """Turn × applicable clause → verdict (compliant, violation, unscored), kind and evidence."""
    catalog = spec.load()
    with database.connect() as con:
        rows = audit.judge(con, days_of(context), catalog, progress)
    return dg.MaterializeResult(
        metadata={
            "findings": rows,
            "spec_version": catalog.version,
            "catalog_sha256": catalog.sha256,
        }
    )


@dg.asset(deps=["findings"], **AUDIT)
def clause_metrics(
    context: dg.AssetExecutionContext,
    database: AuditDatabase,
    spec: SpecCatalog,
    progress: dg.ResourceParam[Progress],
) -> dg.MaterializeResult:
    """Day × model × surface × clause → applicable turns, violations, rate and Wilson interval."""
    catalog = spec.load()
    with database.connect() as con:
        rows = audit.measure(con, days_of(context), catalog, progress)
    return dg.MaterializeResult(metadata={"metric_rows": rows, "spec_version": catalog.version})


audit_job = dg.define_asset_job(
    "daily_audit",
    selection=dg.AssetSelection.groups("audit"),
    partitions_def=daily,
    description="Label, judge and measure one day (or a range of days) of turns.",
)

ingest_job = dg.define_asset_job(
    "ingest_landing",
    selection=dg.AssetSelection.groups("ingest"),
    description="Ingest new files from the landing folder.",
)
