"""Label turns: the ``signals`` table (one row per turn, one column per signal) and ``evidence``.

Reads some days of turns from DuckDB, runs every Polars labeller of ``transforms`` over them
(``transforms.label_frame``: one family at a time, on text columns lower-cased once), and replaces
those days' rows of ``signals`` and ``evidence`` in one transaction (a day too large to hold at
once is read, labelled and written in ranges of turn ids, inside that transaction).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import polars as pl

from spec_audit.partition import IN_RANGE, TurnRange, replacing_days
from spec_audit.store import query
from transforms import label_frame
from transforms.registry import SIGNALS, TURN_COLUMNS

KEY_COLUMNS = ("turn_id", "conversation_id", "day", "model", "surface")
_SQL_TYPES = {"bool": "BOOLEAN", "enum": "VARCHAR", "int": "BIGINT", "float": "DOUBLE"}


def ensure_signals_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``signals`` from the registry; recreate it (it is derived) when the registry changed."""
    wanted = [*KEY_COLUMNS, *(s.name for s in SIGNALS)]
    present = [
        row[0]
        for row in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'signals' ORDER BY ordinal_position"
        ).fetchall()
    ]
    if present == wanted:
        return
    columns = ", ".join(
        [
            "turn_id VARCHAR NOT NULL",
            "conversation_id VARCHAR NOT NULL",
            "day DATE NOT NULL",
            "model VARCHAR NOT NULL",
            "surface VARCHAR",
            *(f'"{s.name}" {_SQL_TYPES[s.dtype]}' for s in SIGNALS),
        ]
    )
    con.execute("DROP TABLE IF EXISTS signals")
    con.execute(f"CREATE TABLE signals ({columns})")


def read_turns(
    con: duckdb.DuckDBPyConnection,
    days: Sequence[dt.date],
    turns: TurnRange = (None, None),
) -> pl.DataFrame:
    """Return the turns of ``days`` (those in the range ``turns``) with the columns the labellers
    read."""
    return query(
        con,
        f"SELECT {', '.join(TURN_COLUMNS)} FROM turns "
        f"WHERE day IN (SELECT unnest($days::DATE[])) AND {IN_RANGE} ORDER BY turn_id",
        {"days": list(days), "after": turns[0], "upto": turns[1]},
    )


def label(turns: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (signals, evidence) frames for a frame of turns."""
    labelled = label_frame(turns)
    signals = labelled.select(*KEY_COLUMNS, *(s.name for s in SIGNALS))
    evidence = pl.concat(
        [
            labelled.select(
                "turn_id",
                "day",
                pl.lit(s.name).alias("signal"),
                pl.col(f"{s.name}__evidence").struct.unnest(),
            ).filter(pl.col("source").is_not_null())
            for s in SIGNALS
        ]
    )
    return signals, evidence


def label_days(
    con: duckdb.DuckDBPyConnection,
    days: Sequence[dt.date],
    parts: Sequence[TurnRange] = ((None, None),),
) -> dict[str, int]:
    """Return rows written per table after replacing ``days`` of ``signals`` and ``evidence``,
    labelling their turns one range of ``parts`` at a time."""
    ensure_signals_table(con)
    with replacing_days(con, days, ("signals", "evidence")) as writer:
        for turns in parts:
            signals, evidence = label(read_turns(con, days, turns))
            writer.write("signals", signals)
            writer.write("evidence", evidence)
            del signals, evidence  # before the next part is read
    return writer.written
