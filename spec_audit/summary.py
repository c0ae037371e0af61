"""The audit summary: what was ingested, which clauses are violated, and the refusal quadrant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from spec_audit.metrics import sql, with_rate_macros, z_value
from spec_audit.spec.catalog import Catalog
from spec_audit.store import query


@dataclass(frozen=True)
class Summary:
    """Everything `spec-audit run` prints at the end, as data."""

    db_path: Path
    spec_id: str
    spec_version: str
    files: int
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    conversations: int
    turns: int
    first_day: dt.date | None
    last_day: dt.date | None
    models: tuple[str, ...]
    clauses: (
        pl.DataFrame
    )  # clause_id, title, layer, kind, applicable, violations, rate, ci_low, ci_high
    untestable: tuple[str, ...]
    quadrant: pl.DataFrame  # prompt_intent, complied, refused, no_reply
    over_refusals: int
    under_refusals: int


def summarize(
    con: duckdb.DuckDBPyConnection,
    catalog: Catalog,
    db_path: Path,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Summary:
    """Return the summary of the database for the catalog's version over [start, end]."""
    window = {"start": start, "end": end}
    files, read, accepted, rejected = con.execute(
        "SELECT count(*), coalesce(sum(rows_read), 0), coalesce(sum(rows_accepted), 0), "
        "coalesce(sum(rows_rejected), 0) FROM ingest_manifest"
    ).fetchall()[0]
    conversations, first_day, last_day = con.execute(
        "SELECT count(*), min(day), max(day) FROM conversations "
        "WHERE ($start IS NULL OR day >= $start) AND ($end IS NULL OR day <= $end)",
        window,
    ).fetchall()[0]
    turns = con.execute(
        "SELECT count(*) FROM turns "
        "WHERE ($start IS NULL OR day >= $start) AND ($end IS NULL OR day <= $end)",
        window,
    ).fetchall()[0][0]
    models = tuple(
        row[0]
        for row in con.execute("SELECT DISTINCT model FROM conversations ORDER BY model").fetchall()
    )
    totals = query(
        with_rate_macros(con),
        sql("summary_clauses"),
        {"z": z_value(), "spec_id": catalog.spec_id, "spec_version": catalog.version, **window},
    )
    described = pl.DataFrame(
        {
            "clause_id": [c.id for c in catalog.clauses if c.testable],
            "title": [c.title for c in catalog.clauses if c.testable],
            "layer": [c.layer for c in catalog.clauses if c.testable],
            "kind": [c.kind for c in catalog.clauses if c.testable],
        }
    )
    clauses = described.join(totals, on="clause_id", how="left").sort(
        "rate", descending=True, nulls_last=True
    )
    quadrant = query(con, sql("summary_quadrant"), window)
    intents = dict(zip(quadrant["prompt_intent"], quadrant["refused"], strict=True))
    complied = dict(zip(quadrant["prompt_intent"], quadrant["complied"], strict=True))
    return Summary(
        db_path=db_path,
        spec_id=catalog.spec_id,
        spec_version=catalog.version,
        files=files,
        rows_read=read,
        rows_accepted=accepted,
        rows_rejected=rejected,
        conversations=conversations,
        turns=turns,
        first_day=first_day,
        last_day=last_day,
        models=models,
        clauses=clauses,
        untestable=tuple(c.id for c in catalog.clauses if not c.testable),
        quadrant=quadrant,
        over_refusals=int(intents.get("benign", 0)),
        under_refusals=int(complied.get("harmful", 0)),
    )
