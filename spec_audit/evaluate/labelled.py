"""Labelled files: records split into what the labellers may see and the gold kept aside.

A labelled file is JSONL in the format of ``../shared/eval`` (DESIGN.md §3 records plus ``gold``).
Each is read with the ingest reader, and ``strip.sql`` writes a copy without ``gold``, ``dataset``
and ``metadata`` and with an opaque conversation id, which is what the real ingest then reads: no
label and nothing naming the data set can reach a labeller.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from spec_audit.errors import UserError
from spec_audit.ingest import readers

STRIP_SQL = Path(__file__).resolve().parent / "strip.sql"
LABELLED_FORMATS = ("jsonl", "jsonl.gz")


@dataclass(frozen=True)
class LabelledFiles:
    """Stripped copies to ingest, and one row of gold per conversation (the first record wins)."""

    stripped: list[Path]
    #: conversation_id, opaque_id, dataset, gold (JSON text or null), file, line
    gold: pl.DataFrame
    records: int


def split_labelled(
    con: duckdb.DuckDBPyConnection, paths: list[Path], workdir: Path
) -> LabelledFiles:
    """Return the stripped copies written under ``workdir`` and the gold of every conversation.

    Folders are expanded to their JSONL files; another file type raises ``UserError``.
    """
    files = readers.expand(paths)
    if not files:
        raise UserError(f"{', '.join(map(str, paths))}: no labelled JSONL files found")
    stripped, golds, records = [], [], 0
    for index, (path, fmt) in enumerate(files):
        if fmt not in LABELLED_FORMATS:
            raise UserError(f"{path}: evaluate reads labelled JSONL files (.jsonl, .jsonl.gz)")
        records += readers.load_records(con, path, fmt)
        frame = con.sql(STRIP_SQL.read_text(encoding="utf-8"), params={"dataset": _stem(path)}).pl()
        con.execute(f"DROP TABLE IF EXISTS {readers.RECORDS}")
        out = workdir / f"{index:03d}-{_stem(path)}.jsonl"
        # One JSON text per line, written verbatim (JSON text never holds a raw newline).
        frame.select("stripped").write_csv(out, include_header=False, quote_style="never")
        stripped.append(out)
        golds.append(
            frame.filter(pl.col("conversation_id").is_not_null())
            .select("conversation_id", "opaque_id", "dataset", "gold", "line")
            .with_columns(file=pl.lit(str(path)))
        )
    gold = pl.concat(golds).unique("conversation_id", keep="first", maintain_order=True)
    return LabelledFiles(stripped, gold, records)


def _stem(path: Path) -> str:
    """Return the file name without its .jsonl / .jsonl.gz / .ndjson ending."""
    name = path.name
    for ending in readers.FORMATS:
        if name.lower().endswith(ending):
            return name[: -len(ending)]
    return path.stem
