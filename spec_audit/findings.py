"""Judge turns against the spec: the ``findings`` table (turn × applicable clause → verdict).

Each testable clause contributes two compiled Polars expressions over the signal columns:
``applies`` (null counts as not applicable) and ``violation`` (null means the turn cannot be scored,
for example a user message with no reply). Clauses without expressions are untestable and yield no
findings; they are listed as such in summaries and reports.

Overlays carried by the catalog (``spec_audit.spec.overlay``) adjust clauses on the conversations
they select. Each adjusted clause stays one expression: a ``when(selector).then(...)`` chain over
the overlays that adjust it, falling back to the base condition, so a catalog with overlays costs
the same single pass. ``overlay_id`` records which overlay decided a finding (null: the base).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import duckdb
import polars as pl

from spec_audit.partition import IN_RANGE, TurnRange, replacing_days
from spec_audit.spec.catalog import Catalog, Clause
from spec_audit.spec.overlay import METADATA_COLUMN, Overlay
from spec_audit.store import query
from transforms.registry import SIGNALS

VERDICTS = ("compliant", "violation", "unscored")
#: Turns judged and written at a time: their findings are a few hundred MB at most.
JUDGE_TURNS = 50_000
#: Narrows a partition replacement to one spec version (its values: spec_id, spec_version).
SPEC_FILTER = "AND spec_id = ? AND spec_version = ?"


def judge(signals: pl.LazyFrame, catalog: Catalog) -> pl.LazyFrame:
    """Return one finding row per (turn, applicable clause) with its verdict and evidence signals."""
    parts = clause_findings(typed(signals), catalog)
    if not parts:
        return pl.LazyFrame()
    return pl.concat(parts)


def typed(signals: pl.LazyFrame) -> pl.LazyFrame:
    """Return ``signals`` with each signal column cast to its registered type."""
    present = set(signals.collect_schema().names())
    # Typed columns even where a frame holds only nulls, so the compiled expressions always apply.
    return signals.with_columns(
        pl.col(s.name).cast(s.polars_dtype) for s in SIGNALS if s.name in present
    )


def clause_findings(signals: pl.LazyFrame, catalog: Catalog) -> list[pl.LazyFrame]:
    """Return, per testable clause in catalog order, the findings of the (typed) ``signals``."""
    keys = ("turn_id", "conversation_id", "day", "model", "surface")
    parts = []
    for clause in catalog.clauses:
        conditions = _conditions(clause, catalog.overlays)
        if conditions is None:
            continue
        applies, violation, evidence, overlay_id = conditions
        parts.append(
            signals.filter(applies.fill_null(False)).select(
                *keys,
                spec_id=pl.lit(catalog.spec_id),
                spec_version=pl.lit(catalog.version),
                clause_id=pl.lit(clause.id),
                kind=pl.lit(clause.kind),
                verdict=pl.when(violation.is_null())
                .then(pl.lit("unscored"))
                .when(violation)
                .then(pl.lit("violation"))
                .otherwise(pl.lit("compliant")),
                evidence=evidence,
                overlay_id=overlay_id,
            )
        )
    return parts


def _conditions(
    clause: Clause, overlays: Sequence[Overlay]
) -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr] | None:
    """Return (applies, violation, evidence, overlay_id) expressions, or None if never testable."""
    adjusted = [(o, a) for o in overlays if (a := o.adjustment(clause.id)) is not None]
    if not clause.testable and not any(a.testable for _, a in adjusted):
        return None
    never = pl.lit(False)
    unknown = pl.lit(None, dtype=pl.Boolean)
    applies = clause.applies if clause.testable else never
    violation = clause.violation if clause.testable else unknown
    evidence = pl.lit(list(clause.signals), dtype=pl.List(pl.String))
    overlay_id = pl.lit(None, dtype=pl.String)
    if not adjusted:
        return applies, violation, evidence, overlay_id
    # The first overlay listed that selects the turn decides; the base decides for the rest.
    chains: list[Any] = [pl, pl, pl, pl]
    for overlay, adjustment in adjusted:
        on = overlay.selects
        values = (
            adjustment.applies if adjustment.testable else never,
            adjustment.violation if adjustment.testable else unknown,
            pl.lit(list(adjustment.signals), dtype=pl.List(pl.String)),
            pl.lit(overlay.overlay_id),
        )
        chains = [chain.when(on).then(value) for chain, value in zip(chains, values, strict=True)]
    applies, violation, evidence, overlay_id = (
        chain.otherwise(base)
        for chain, base in zip(chains, (applies, violation, evidence, overlay_id), strict=True)
    )
    return applies, violation, evidence, overlay_id


def ensure_findings_columns(con: duckdb.DuckDBPyConnection) -> None:
    """Add ``findings.overlay_id`` to a database created before overlays existed (idempotent)."""
    con.execute("ALTER TABLE findings ADD COLUMN IF NOT EXISTS overlay_id VARCHAR")


def read_signals(
    con: duckdb.DuckDBPyConnection,
    days: Sequence[dt.date],
    catalog: Catalog,
    table: str = "signals",
    turns: TurnRange = (None, None),
) -> pl.DataFrame:
    """Return the ``days`` of ``table`` (signals, or a registered frame of them) ready to judge,
    the turns in the range ``turns`` only.

    When an overlay selects by conversation metadata, each turn's metadata comes along.
    """
    where = (
        f"s.day IN (SELECT unnest($days::DATE[])) AND {IN_RANGE.replace('turn_id', 's.turn_id')}"
    )
    if any(o.metadata_key for o in catalog.overlays):
        sql = (
            f"SELECT s.*, c.metadata::VARCHAR AS {METADATA_COLUMN} FROM {table} s "
            f"JOIN conversations c USING (conversation_id) WHERE {where}"
        )
    else:
        sql = f"SELECT * FROM {table} s WHERE {where}"
    return query(con, sql, {"days": list(days), "after": turns[0], "upto": turns[1]})


def judge_days(
    con: duckdb.DuckDBPyConnection,
    days: Sequence[dt.date],
    catalog: Catalog,
    parts: Sequence[TurnRange] = ((None, None),),
) -> dict[str, int]:
    """Return rows written after replacing ``days`` of ``findings`` for the catalog's version,
    reading their signals one range of ``parts`` at a time.

    The findings (about 17 a turn) are computed and written ``JUDGE_TURNS`` turns at a time, so
    memory holds the signals and those turns' findings, not every finding of the batch.
    """
    ensure_findings_columns(con)
    with replacing_days(
        con, days, ("findings",), where=SPEC_FILTER, params=(catalog.spec_id, catalog.version)
    ) as writer:
        for turns in parts:
            signals = read_signals(con, days, catalog, turns=turns)
            for chunk in signals.iter_slices(JUDGE_TURNS):
                writer.write("findings", judge(chunk.lazy(), catalog).collect())
            del signals  # before the next part is read
    return writer.written
