"""Audit days: label, judge and measure turns, as plain functions over the database.

The Dagster assets, the CLI (through Dagster) and the benchmarks all call these. Days are processed
in batches of whole days holding at most ``BATCH_TURNS`` turns: large enough that the labellers'
fixed costs (compiling their patterns) are paid rarely, small enough that memory stays flat however
many days are audited. A day holding more turns than that is a batch of its own, read and written
in parts of at most ``BATCH_TURNS`` turns (ranges of turn ids), so memory stays flat however large
a day is too. Each batch replaces its days in one transaction, a day in parts included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import duckdb

from spec_audit.findings import judge_days
from spec_audit.metrics import measure_days
from spec_audit.partition import TurnRange
from spec_audit.progress import Progress, silent
from spec_audit.signals import label_days
from spec_audit.spec.catalog import Catalog
from spec_audit.store import memory_limit

#: Upper bound on the turns one batch (or one part of a larger day) holds in memory.
BATCH_TURNS = 250_000
#: DuckDB's memory cap while auditing: without one, its buffer pool keeps every block of ``turns``
#: and ``signals`` it has read, so memory grows with the days audited, not with the batch.
MEMORY_LIMIT = "1GB"
#: The whole of each day: no bound on turn ids.
WHOLE_DAYS: tuple[TurnRange, ...] = ((None, None),)


@dataclass(frozen=True)
class Batch:
    """Days replaced in one transaction, and the turn-id ranges they are read and written in."""

    days: list[dt.date]
    parts: tuple[TurnRange, ...] = WHOLE_DAYS


def days_with_turns(
    con: duckdb.DuckDBPyConnection,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[dt.date]:
    """Return the days that have turns, optionally limited to [start, end]."""
    rows = con.execute(
        "SELECT DISTINCT day FROM turns "
        "WHERE ($start IS NULL OR day >= $start) AND ($end IS NULL OR day <= $end) ORDER BY day",
        {"start": start, "end": end},
    ).fetchall()
    return [row[0] for row in rows]


def stale_windows(
    con: duckdb.DuckDBPyConnection, days: Sequence[dt.date], catalog: Catalog
) -> list[tuple[dt.date, dt.date]]:
    """Return the statistics windows (start, end) stored for the catalog's version that hold any of
    ``days``, oldest end first: re-auditing a day changes the counts their tests were computed from."""
    return con.execute(
        "SELECT DISTINCT window_start, window_end FROM ("
        "SELECT window_start, window_end, spec_id, spec_version FROM drift_tests "
        "UNION SELECT window_start, window_end, spec_id, spec_version FROM change_points) "
        "WHERE spec_id = ? AND spec_version = ? "
        "AND EXISTS (SELECT 1 FROM unnest(?::DATE[]) AS d(day) "
        "WHERE d.day BETWEEN window_start AND window_end) ORDER BY window_end, window_start",
        [catalog.spec_id, catalog.version, list(days)],
    ).fetchall()


def batches(
    con: duckdb.DuckDBPyConnection, days: Sequence[dt.date], max_turns: int | None = None
) -> Iterator[Batch]:
    """Yield consecutive groups of ``days`` whose turns add up to at most ``max_turns`` (default
    ``BATCH_TURNS``); a day holding more is a batch of its own, in parts of at most that many."""
    max_turns = max_turns or BATCH_TURNS
    counts = dict(
        con.execute(
            "SELECT day, count(*) FROM turns WHERE day IN (SELECT unnest(?::DATE[])) GROUP BY day",
            [list(days)],
        ).fetchall()
    )
    batch: list[dt.date] = []
    size = 0
    for day in days:
        n = counts.get(day, 0)
        if batch and size + n > max_turns:
            yield Batch(batch)
            batch, size = [], 0
        if n > max_turns:
            yield Batch([day], turn_ranges(con, day, -(-n // max_turns)))
            continue
        batch.append(day)
        size += n
    if batch:
        yield Batch(batch)


def turn_ranges(con: duckdb.DuckDBPyConnection, day: dt.date, parts: int) -> tuple[TurnRange, ...]:
    """Return ``parts`` consecutive ranges (after, up to] of turn ids splitting ``day``'s turns
    evenly, the first open below and the last open above."""
    bounds = [
        row[0]
        for row in con.execute(
            "SELECT max(turn_id) FROM (SELECT turn_id, ntile(?) OVER (ORDER BY turn_id) AS part "
            "FROM turns WHERE day = ?) GROUP BY part ORDER BY part",
            [parts, day],
        ).fetchall()
    ][:-1]
    return tuple(zip([None, *bounds], [*bounds, None], strict=True))


def _in_batches(
    con: duckdb.DuckDBPyConnection,
    days: Sequence[dt.date],
    stage: str,
    step: Callable[[Batch], dict[str, int]],
    table: str,
    progress: Progress,
) -> int:
    total = done = 0
    progress(stage, 0, len(days))
    with memory_limit(con, MEMORY_LIMIT):
        for batch in batches(con, days):
            total += step(batch)[table]
            done += len(batch.days)
            progress(stage, done, len(days))
    return total


def label(
    con: duckdb.DuckDBPyConnection, days: Sequence[dt.date], progress: Progress = silent
) -> int:
    """Return turns labelled after replacing ``signals`` and ``evidence`` for ``days``."""
    return _in_batches(
        con, days, "label", lambda b: label_days(con, b.days, b.parts), "signals", progress
    )


def judge(
    con: duckdb.DuckDBPyConnection,
    days: Sequence[dt.date],
    catalog: Catalog,
    progress: Progress = silent,
) -> int:
    """Return findings written after replacing ``findings`` for ``days``."""
    return _in_batches(
        con,
        days,
        "judge",
        lambda b: judge_days(con, b.days, catalog, b.parts),
        "findings",
        progress,
    )


def measure(
    con: duckdb.DuckDBPyConnection,
    days: Sequence[dt.date],
    catalog: Catalog,
    progress: Progress = silent,
) -> int:
    """Return metric rows written after replacing ``clause_metrics`` for ``days``."""
    return _in_batches(
        con,
        days,
        "measure",
        lambda b: measure_days(con, b.days, catalog),
        "clause_metrics",
        progress,
    )


def audit(
    con: duckdb.DuckDBPyConnection,
    days: Sequence[dt.date],
    catalog: Catalog,
    progress: Progress = silent,
) -> dict[str, int]:
    """Return rows written per table after labelling, judging and measuring ``days``."""
    return {
        "signals": label(con, days, progress),
        "findings": judge(con, days, catalog, progress),
        "clause_metrics": measure(con, days, catalog, progress),
    }
