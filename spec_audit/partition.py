"""Write daily partitions: delete some days' rows and insert their replacement in one transaction.

Every daily table is written through ``replace_days`` (or ``replacing_days``, which takes the
replacement in parts) so that a run killed at any moment leaves each day either as it was or fully
replaced, and a rerun of the same days gives the same rows. Each write is recorded in
``day_writes`` (in the same transaction), which is how publishing the snapshot knows which days
changed since the last publish.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import duckdb
import polars as pl

from spec_audit.store import transaction

#: A range (after, up to] of turn ids; None leaves that side open.
TurnRange = tuple[str | None, str | None]
#: Selects the turn ids of a ``TurnRange`` given as the parameters $after and $upto.
IN_RANGE = "($after IS NULL OR turn_id > $after) AND ($upto IS NULL OR turn_id <= $upto)"


class DayWriter:
    """Inserts parts of the replacement of some days into their tables (inside one transaction)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, tables: Sequence[str]) -> None:
        self.con = con
        #: Rows written so far per table.
        self.written = dict.fromkeys(tables, 0)

    def write(self, table: str, frame: pl.DataFrame) -> None:
        """Insert ``frame``'s rows into ``table`` (one of the tables being replaced)."""
        if table not in self.written:
            raise ValueError(f"{table} is not one of the tables being replaced")
        if frame.height:
            # Arrow's newest layout (string views) is Polars' own: handed over without a copy,
            # where the default layout would first copy every string column.
            arrow = frame.to_arrow(compat_level=pl.CompatLevel.newest())
            self.con.register("partition_frame", arrow)
            try:
                self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM partition_frame")
            finally:
                self.con.unregister("partition_frame")
        self.written[table] += frame.height


@contextmanager
def replacing_days(
    con: duckdb.DuckDBPyConnection,
    days: Sequence[dt.date],
    tables: Sequence[str],
    *,
    where: str = "",
    params: tuple[object, ...] = (),
) -> Iterator[DayWriter]:
    """Return a context that deletes ``days`` from ``tables`` and yields a ``DayWriter`` for their
    new rows, all in one transaction (rolled back if the block raises).

    ``where`` narrows the rows deleted (for example to one spec version); it is trusted SQL written
    by the caller, never user input, and its values come in ``params``.
    """
    with transaction(con):
        for table in tables:
            con.execute(
                f"DELETE FROM {table} WHERE day IN (SELECT unnest(?::DATE[])) {where}",
                [list(days), *params],
            )
        writer = DayWriter(con, tables)
        yield writer
        for table in tables:
            con.execute(
                "INSERT OR REPLACE INTO day_writes "
                "SELECT ?, unnest(?::DATE[]), ?, uuid(), get_current_timestamp()",
                [table, list(days), json.dumps(params, default=str) if where else ""],
            )


def replace_days(
    con: duckdb.DuckDBPyConnection,
    days: Sequence[dt.date],
    frames: Mapping[str, pl.DataFrame],
    *,
    where: str = "",
    params: tuple[object, ...] = (),
) -> dict[str, int]:
    """Return rows written per table after replacing ``days`` in each table of ``frames``
    (``where`` and ``params`` as for ``replacing_days``)."""
    with replacing_days(con, days, list(frames), where=where, params=params) as writer:
        for table, frame in frames.items():
            writer.write(table, frame)
    return writer.written
