"""Input files: which ones to read, their hash, and their records as one raw JSON text per record.

Every format is loaded into the temporary table ``_ingest_records(line BIGINT, raw VARCHAR)``:
one row per record, ``line`` the 1-based JSONL line, CSV line (data row + 1 for the header) or
Parquet row, ``raw`` the record as JSON object text (or the malformed text as found), and
``invalid_utf8`` true for a JSONL line whose bytes are not UTF-8 (``raw`` then shows its
non-ASCII bytes as ``\\xNN``). Blank JSONL lines and all-empty CSV rows are not records. The
adapters and normalisation read only that table, so they are the same SQL for every format.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from spec_audit.errors import UserError

RECORDS = "_ingest_records"
SQL_DIR = Path(__file__).resolve().parent

#: Supported file name endings, longest first so ``.jsonl.gz`` wins over ``.gz``, and their format.
FORMATS: dict[str, str] = {
    ".jsonl.gz": "jsonl.gz",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".csv": "csv",
}

_LINE = "__spec_audit_line"


def file_format(path: Path) -> str | None:
    """Return the format of ``path`` from its name (jsonl, jsonl.gz, parquet, csv), or None."""
    name = path.name.lower()
    return next((fmt for ending, fmt in FORMATS.items() if name.endswith(ending)), None)


def expand(paths: Sequence[Path | str]) -> list[tuple[Path, str]]:
    """Return ``(file, format)`` for each named file and each supported file under named folders.

    Folders are walked recursively in name order and unsupported files in them are skipped; a
    named file that is missing or has an unsupported ending raises ``UserError``.
    """
    found: list[tuple[Path, str]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.extend(_walk(path))
            continue
        if not path.exists():
            raise UserError(f"{path}: no such file or folder")
        fmt = file_format(path)
        if fmt is None:
            endings = ", ".join(FORMATS)
            raise UserError(f"{path}: unsupported file type (expected one of {endings})")
        found.append((path, fmt))
    return found


def _walk(folder: Path) -> Iterator[tuple[Path, str]]:
    """Yield the supported files under ``folder``, recursively, in sorted path order.

    Names starting with ``_`` or ``.`` are skipped: they are side files (such as the sample
    generator's ``_labels.parquet``) or hidden files, not logs.
    """
    for path in sorted(folder.rglob("*")):
        fmt = file_format(path)
        hidden = any(part.startswith(("_", ".")) for part in path.relative_to(folder).parts)
        if fmt is not None and not hidden and path.is_file():
            yield path, fmt


def sha256(path: Path) -> str:
    """Return the hex SHA-256 of the file's bytes, read in chunks."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def load_records(con: duckdb.DuckDBPyConnection, path: Path, fmt: str) -> int:
    """Return the number of records after loading ``path`` into the ``_ingest_records`` table."""
    try:
        frame = _READERS[fmt](path)
    except (OSError, EOFError, pl.exceptions.PolarsError, pa.ArrowException) as error:
        detail = " ".join(str(error).split())[:200]
        raise UserError(f"{path}: cannot read as {fmt} ({detail})") from None
    con.register("_ingest_frame", frame)
    try:
        sql = "records_bytes.sql" if "raw_bytes" in frame.columns else "records_text.sql"
        con.execute((SQL_DIR / sql).read_text(encoding="utf-8"))
    finally:
        con.unregister("_ingest_frame")
    return con.execute(f"SELECT count(*) FROM {RECORDS}").fetchall()[0][0]


def _read_jsonl(path: Path) -> pl.DataFrame:
    """Return ``line, raw`` for the non-blank lines of a JSONL file, gzipped or not.

    A file with invalid UTF-8 gives ``line, raw_bytes`` for every line instead.
    """
    try:
        lines = pl.scan_lines(path, name="raw", row_index_name="line", row_index_offset=1)
        return lines.filter(pl.col("raw").str.strip_chars().str.len_bytes() > 0).collect()
    except pl.exceptions.ComputeError as error:
        if "utf8" not in str(error).lower():
            raise
    return _read_jsonl_bytes(path)


def _read_jsonl_bytes(path: Path) -> pl.DataFrame:
    """Return ``line, raw_bytes`` for a JSONL file holding some invalid UTF-8.

    Polars refuses the whole file then, so its bytes are split into lines with Arrow; DuckDB
    decodes each line on its own (``records_bytes.sql``) and the undecodable ones become
    rejected records.
    """
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as handle:
        data = handle.read()
    lines = pc.split_pattern(pa.array([data], pa.large_binary()), b"\n").flatten()
    return pl.DataFrame({"raw_bytes": pl.from_arrow(lines)}).with_row_index("line", offset=1)


def _read_csv(path: Path) -> pl.DataFrame:
    """Return ``line, raw`` for a CSV file, each data row as a JSON object of its string cells."""
    if path.stat().st_size == 0:
        return _empty()
    frame = pl.read_csv(
        path,
        infer_schema=False,
        row_index_name=_LINE,
        row_index_offset=2,
        truncate_ragged_lines=True,
        encoding="utf8-lossy",
    )
    cells = [name for name in frame.columns if name != _LINE]
    if not cells:
        return _empty()
    frame = frame.filter(pl.any_horizontal(pl.col(cells).is_not_null()))
    return _as_records(frame, cells)


def _read_parquet(path: Path) -> pl.DataFrame:
    """Return ``line, raw`` for a Parquet file, each row as a JSON object of its columns."""
    scan = pl.scan_parquet(path, row_index_name=_LINE, row_index_offset=1)
    cells = [name for name in scan.collect_schema().names() if name != _LINE]
    return _as_records(scan.collect(), cells)


def _as_records(frame: pl.DataFrame, cells: list[str]) -> pl.DataFrame:
    """Return ``line, raw`` with every row of ``frame`` encoded as one JSON object."""
    return frame.select(
        pl.col(_LINE).cast(pl.Int64).alias("line"),
        pl.struct(cells).struct.json_encode().alias("raw"),
    )


def _empty() -> pl.DataFrame:
    """Return an empty ``line, raw`` frame."""
    return pl.DataFrame(schema={"line": pl.Int64, "raw": pl.String})


_READERS = {
    "jsonl": _read_jsonl,
    "jsonl.gz": _read_jsonl,
    "csv": _read_csv,
    "parquet": _read_parquet,
}
