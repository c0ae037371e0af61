"""Ingest: files from the landing folder (or given paths) into the four ingest tables."""

import dagster as dg

from dagster_project.defs.resources import AuditDatabase
from spec_audit.config import landing_dir
from spec_audit.ingest import ingest_paths


class IngestConfig(dg.Config):
    """Which files to ingest: the landing folder unless paths are given."""

    paths: list[str] | None = None
    adapter: str | None = None


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            "ingest_manifest",
            description="One row per ingested file: SHA-256, rows read/accepted/rejected.",
        ),
        dg.AssetSpec(
            "rejected_records",
            description="Records that could not be used: file, line, reason, raw text.",
        ),
        dg.AssetSpec("conversations", description="One row per accepted conversation."),
        dg.AssetSpec(
            "turns", description="One row per user message and the assistant reply to it."
        ),
    ],
    group_name="ingest",
)
def ingest(context: dg.AssetExecutionContext, config: IngestConfig, database: AuditDatabase):
    """Ingest new files; files already in the manifest (by SHA-256) are skipped."""
    paths = config.paths or [str(landing_dir())]
    with database.connect() as con:
        results = ingest_paths(con, paths, adapter=config.adapter)
    ingested = [r for r in results if r.status == "ingested"]
    totals = {
        "files_ingested": len(ingested),
        "files_skipped": len(results) - len(ingested),
        "rows_read": sum(r.rows_read for r in ingested),
        "rows_accepted": sum(r.rows_accepted for r in ingested),
        "rows_rejected": sum(r.rows_rejected for r in ingested),
    }
    context.log.info(f"ingest: {totals}")
    for key in ("ingest_manifest", "rejected_records", "conversations", "turns"):
        yield dg.MaterializeResult(asset_key=key, metadata=totals)
