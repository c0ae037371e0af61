"""The published snapshot: the read-only copy of the database that dashboards and reports open."""

from pathlib import Path

import dagster as dg

from dagster_project.defs.resources import AuditDatabase
from spec_audit.snapshot import publish


@dg.asset(
    deps=["clause_metrics", "drift_tests", "disparity_tests", "change_points"],
    group_name="publish",
)
def published_snapshot(
    context: dg.AssetExecutionContext, database: AuditDatabase
) -> dg.MaterializeResult:
    """A checkpointed copy of the audit database, replaced atomically; readers never block the audit.

    After the first publish only the days written since (and the tables without days) are copied
    again into a copy of the previous snapshot, with those days of its read models.

    Downstream of drift_tests, so a regressed rule-layer clause (the blocking check) holds back
    publication until an operator has looked and re-materialises this asset.
    """
    path = publish(Path(database.path))
    return dg.MaterializeResult(metadata={"path": str(path), "bytes": path.stat().st_size})
