"""Write daily partitions: delete some days' rows and insert their replacement in one transaction.

Every daily table is written through ``replace_days`` so that a run killed at any moment leaves each
day either as it was or fully replaced, and a rerun of the same days gives the same rows. Each write
is recorded in ``day_writes`` (in the same transaction), which is how publishing the snapshot knows
which days changed since the last publish.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence

import duckdb
import polars as pl

from spec_audit.store import transaction


def replace_days(
    con: duckdb.DuckDBPyConnection,
    days: Sequence[dt.date],
    frames: Mapping[str, pl.DataFrame],
    *,
    where: str = "",
    params: tuple[object, ...] = (),
) -> dict[str, int]:
    """Return rows written per table after replacing ``days`` in each table of ``frames``.

    ``where`` narrows the rows deleted (for example to one spec version); it is trusted SQL written
    by the caller, never user input, and its values come in ``params``.
    """
    written: dict[str, int] = {}
    with transaction(con):
        for table, frame in frames.items():
            con.execute(
                f"DELETE FROM {table} WHERE day IN (SELECT unnest(?::DATE[])) {where}",
                [list(days), *params],
            )
            if frame.height:
                con.register("partition_frame", frame)
                try:
                    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM partition_frame")
                finally:
                    con.unregister("partition_frame")
            written[table] = frame.height
            con.execute(
                "INSERT OR REPLACE INTO day_writes "
                "SELECT ?, unnest(?::DATE[]), ?, uuid(), get_current_timestamp()",
                [table, list(days), json.dumps(params, default=str) if where else ""],
            )
    return written
