"""Input files: which ones to read, their hash, and their records as one raw JSON text per record.

Every format is loaded into the temporary table ``_ingest_records(line BIGINT, raw VARCHAR,
invalid_utf8 BOOLEAN, problem VARCHAR, is_object BOOLEAN)``: one row per record, ``line`` the
1-based JSONL line, CSV line (data row + 1 for the header) or Parquet row, ``raw`` the record as
JSON object text (or the malformed text as found), ``invalid_utf8`` true for a line or CSV row
whose bytes are not UTF-8 (``raw`` then shows a JSONL line's non-ASCII bytes as ``\\xNN``), and
``problem`` the reason for a record the reader itself found broken (the cut-off end of a
truncated gzip stream), and ``is_object`` whether the record parses as a JSON object (the
records the adapters read).
Blank JSONL lines and all-empty CSV rows are not records. UTF-16 files (with their byte-order
mark) are decoded; a UTF-8 byte-order mark is dropped. The adapters and normalisation read only
that table, so they are the same SQL for every format.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zlib
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
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_TRUNCATED = "truncated or corrupt gzip stream: nothing from here on can be decompressed"


class UnreadableFile(Exception):
    """A file none of whose records can be read: the message says why, for rejected_records."""


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
    """Return the number of records after loading ``path`` into the ``_ingest_records`` table.

    Raises ``UnreadableFile`` when nothing in the file can be read as ``fmt``.
    """
    try:
        frame = _READERS[fmt](path)
    except (OSError, EOFError, zlib.error, pl.exceptions.PolarsError, pa.ArrowException) as error:
        detail = " ".join(str(error).split())[:200]
        raise UnreadableFile(f"cannot read as {fmt} ({detail})") from None
    defaults = {"invalid_utf8": pl.lit(False), "problem": pl.lit(None, pl.String)}
    frame = frame.with_columns(
        **{name: value for name, value in defaults.items() if name not in frame.columns}
    )
    con.register("_ingest_frame", frame)
    try:
        sql = "records_bytes.sql" if "raw_bytes" in frame.columns else "records_text.sql"
        con.execute((SQL_DIR / sql).read_text(encoding="utf-8"))
    finally:
        con.unregister("_ingest_frame")
    return con.execute(f"SELECT count(*) FROM {RECORDS}").fetchall()[0][0]


def _read_jsonl(path: Path) -> pl.DataFrame:
    """Return ``line, raw`` for the non-blank lines of a JSONL file, gzipped or not.

    A file with invalid UTF-8 gives ``line, raw_bytes`` for every line instead; a UTF-16 file
    is decoded, and a truncated gzip stream gives the lines before the cut and a problem record.
    """
    head = _head(path)
    if head.startswith(_UTF16_BOMS):
        return _lines_frame(_decode_utf16(_read_bytes(path)))
    try:
        lines = pl.scan_lines(path, name="raw", row_index_name="line", row_index_offset=1)
        return _non_blank(lines.collect())
    except pl.exceptions.ComputeError as error:
        if "utf8" not in str(error).lower():
            raise
    except (OSError, zlib.error):
        if not _gzipped(path):
            raise
        return _read_truncated_gzip(path)
    return _read_jsonl_bytes(_read_bytes(path))


def _head(path: Path) -> bytes:
    """Return the first bytes of the file's content (decompressed for gzip; b"" if unreadable)."""
    try:
        with (gzip.open if _gzipped(path) else open)(path, "rb") as handle:
            return handle.read(4)
    except (OSError, EOFError, zlib.error):
        return b""


def _gzipped(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def _read_bytes(path: Path) -> bytes:
    """Return the file's content, decompressed when it is gzip."""
    with (gzip.open if _gzipped(path) else open)(path, "rb") as handle:
        return handle.read()


def _decode_utf16(data: bytes) -> str:
    """Return UTF-16 bytes (with their byte-order mark) as text; bad pairs become U+FFFD."""
    return data.decode("utf-16", errors="replace")


def _lines_frame(text: str) -> pl.DataFrame:
    """Return ``line, raw`` for the non-blank lines of ``text``."""
    lines = pl.Series("raw", text.split("\n"), dtype=pl.String).str.strip_suffix("\r")
    return _non_blank(lines.to_frame().with_row_index("line", offset=1))


def _non_blank(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("raw").str.strip_chars().str.len_bytes() > 0).select(
        pl.col("line").cast(pl.Int64), "raw"
    )


def _read_truncated_gzip(path: Path) -> pl.DataFrame:
    """Return the lines of a gzip stream up to where it breaks, and one problem record there.

    The line cut off by the break (or, when the break falls between lines, an empty record
    after the last line) carries the problem, so the truncation is counted and reported.
    """
    data = _decompress_prefix(path.read_bytes())
    whole, newline, partial = data.rpartition(b"\n")
    frame = (
        _read_jsonl_bytes(whole + b"\n")
        if _invalid_utf8(whole)
        else _lines_frame(whole.decode("utf-8"))
    )
    last = whole.count(b"\n") + 2 if newline else 1
    cut = pl.DataFrame(
        {
            "line": [last],
            "raw": [partial.decode("utf-8", errors="replace")],
            "problem": [_TRUNCATED],
        },
        schema={"line": pl.Int64, "raw": pl.String, "problem": pl.String},
    )
    if "raw_bytes" in frame.columns:
        cut = cut.select("line", pl.col("raw").cast(pl.Binary).alias("raw_bytes"), "problem")
    return pl.concat([frame, cut], how="diagonal")


def _decompress_prefix(data: bytes) -> bytes:
    """Return what decompresses of a gzip file before its data ends or breaks."""
    out = io.BytesIO()
    while data:
        inflater = zlib.decompressobj(wbits=31)
        try:
            out.write(inflater.decompress(data))
        except zlib.error:
            break
        data = inflater.unused_data  # a following gzip member, if any
        if not inflater.eof:
            break
    return out.getvalue()


def _invalid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _read_jsonl_bytes(data: bytes) -> pl.DataFrame:
    """Return ``line, raw_bytes`` for JSONL content holding some invalid UTF-8.

    Polars refuses the whole file then, so its bytes are split into lines with Arrow; DuckDB
    decodes each line on its own (``records_bytes.sql``) and the undecodable ones become
    rejected records.
    """
    lines = pc.split_pattern(pa.array([data], pa.large_binary()), b"\n").flatten()
    return pl.DataFrame({"raw_bytes": pl.from_arrow(lines)}).with_row_index("line", offset=1)


def _read_csv(path: Path) -> pl.DataFrame:
    """Return ``line, raw, invalid_utf8`` for a CSV file, each data row as a JSON object of its
    string cells. A row of a file that is not UTF-8 is marked when it holds an undecodable byte.
    """
    if path.stat().st_size == 0:
        return _empty()
    source: Path | io.BytesIO = path
    data = path.read_bytes()
    if data.startswith(_UTF16_BOMS):
        data = _decode_utf16(data).encode("utf-8")
        source = io.BytesIO(data)
    lossy = _invalid_utf8(data)
    frame = pl.read_csv(
        source,
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
    records = _as_records(frame, cells)
    # The lossy decoding put U+FFFD where bytes were not UTF-8: those rows are not trusted.
    return records.with_columns(invalid_utf8=pl.lit(lossy) & pl.col("raw").str.contains("\ufffd"))


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
