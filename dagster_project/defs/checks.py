"""Asset checks: the Great Expectations suites of ``expectations/`` on the assets they describe.

Each check runs its table's suite and cross-table SQL checks through ``spec_audit.validation``
(results are also appended to ``validation_results``). Checks on ``turns``, ``signals``,
``findings`` and ``clause_metrics`` are blocking: labelling, judging, measuring and the statistics
must not run on rows that failed an ``error`` expectation. The others only warn. A check fails
with severity ERROR when an ``error`` expectation failed, WARN when only warnings did; its metadata
carries the total ``unexpected_count`` and the failed expectations.
"""

from collections.abc import Sequence

import dagster as dg

from dagster_project.defs.resources import AuditDatabase, SpecCatalog
from dagster_project.partitions import daily, days_of


def _run(
    database: AuditDatabase,
    table: str,
    days: Sequence | None = None,
    spec: SpecCatalog | None = None,
    run_id: str | None = None,
) -> dg.AssetCheckResult:
    """Return the check result of ``table``'s suite (imported here: Great Expectations is slow)."""
    from spec_audit.validation import validate

    catalogs = [spec.load()] if spec is not None else None
    with database.connect() as con:
        results = validate(con, [table], run_id, days=days, catalogs=catalogs)
    failed = [r for r in results if not r.success]
    lines = [
        f"| {r.description} | {r.column or ''} | {r.severity} | {r.unexpected_count or ''} "
        f"| {(r.observed_value or '')[:80]} |"
        for r in failed
    ]
    return dg.AssetCheckResult(
        passed=not failed,
        severity=(
            dg.AssetCheckSeverity.ERROR
            if any(r.blocking for r in results)
            else dg.AssetCheckSeverity.WARN
        ),
        metadata={
            "unexpected_count": sum(r.unexpected_count or 0 for r in failed),
            "expectations": len(results),
            "failed": len(failed),
            "failed_expectations": dg.MetadataValue.md(
                "\n".join(
                    [
                        "| check | column | severity | unexpected | observed |",
                        "|---|---|---|---|---|",
                        *lines,
                    ]
                )
                if lines
                else "none"
            ),
        },
    )


def _describe(table: str, blocking: bool) -> str:
    effect = "failing an error expectation blocks downstream assets" if blocking else "warns"
    return f"Great Expectations suite and SQL identities of {table} ({effect})."


def _table_check(table: str, *, blocking: bool = False) -> dg.AssetChecksDefinition:
    """Return the check named ``<table>_expectations`` on an unpartitioned table."""

    @dg.asset_check(
        asset=table,
        name=f"{table}_expectations",
        blocking=blocking,
        description=_describe(table, blocking),
    )
    def check(
        context: dg.AssetCheckExecutionContext, database: AuditDatabase
    ) -> dg.AssetCheckResult:
        return _run(database, table, run_id=context.run.run_id)

    return check


ingest_manifest_expectations = _table_check("ingest_manifest")
rejected_records_expectations = _table_check("rejected_records")
conversations_expectations = _table_check("conversations")
turns_expectations = _table_check("turns", blocking=True)


@dg.asset_check(
    asset="signals",
    blocking=True,
    partitions_def=daily,
    description=_describe("signals", True),
)
def signals_expectations(
    context: dg.AssetCheckExecutionContext, database: AuditDatabase
) -> dg.AssetCheckResult:
    return _run(database, "signals", days_of(context), run_id=context.run.run_id)


@dg.asset_check(
    asset="findings",
    blocking=True,
    partitions_def=daily,
    description=_describe("findings", True),
)
def findings_expectations(
    context: dg.AssetCheckExecutionContext, database: AuditDatabase, spec: SpecCatalog
) -> dg.AssetCheckResult:
    return _run(database, "findings", days_of(context), spec, run_id=context.run.run_id)


@dg.asset_check(
    asset="clause_metrics",
    blocking=True,
    partitions_def=daily,
    description=_describe("clause_metrics", True),
)
def clause_metrics_expectations(
    context: dg.AssetCheckExecutionContext, database: AuditDatabase
) -> dg.AssetCheckResult:
    return _run(database, "clause_metrics", days_of(context), run_id=context.run.run_id)


drift_tests_expectations = _table_check("drift_tests")
disparity_tests_expectations = _table_check("disparity_tests")
change_points_expectations = _table_check("change_points")


#: Every check, for in-process runs that pass definitions explicitly (dagster_project.inprocess).
CHECKS = (
    ingest_manifest_expectations,
    rejected_records_expectations,
    conversations_expectations,
    turns_expectations,
    signals_expectations,
    findings_expectations,
    clause_metrics_expectations,
    drift_tests_expectations,
    disparity_tests_expectations,
    change_points_expectations,
)
