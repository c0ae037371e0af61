"""The runner: one suite's expectations executed on an ephemeral Great Expectations 1.x context.

A ``Suite`` names a table, the DuckDB types its columns are declared with, SQL expressions for the
derived columns its expectations read (``violations <= applicable`` is a column pair, an interval
containing its rate is a difference), and its Great Expectations. ``run_suite`` reads the table
from DuckDB (or takes a Polars or pandas frame), checks its columns and types against the
declaration with DuckDB's ``DESCRIBE`` (Great Expectations' pandas type checks depend on whether a
column holds nulls), validates the rows in an in-memory context (no files, no analytics, no progress
bars) and returns one ``Result`` per expectation.

Great Expectations takes seconds to import, so it is imported when a suite is built or run, never
when this package is imported (the Dagster code location and the CLI load it for every command).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import yaml

THRESHOLDS = Path(__file__).resolve().parent / "thresholds.yaml"
#: Great Expectations severities: ``ERROR`` fails block downstream work, ``WARN`` fails do not.
ERROR, WARN = "critical", "warning"
SEVERITIES = {"critical": "error", "warning": "warn", "info": "info"}
#: Rows validated at once: a bigger table is split into batches of about this many rows, so
#: validation memory stays flat however many rows the database holds.
BATCH_ROWS = 200_000
#: Unexpected values kept per expectation (Great Expectations' SUMMARY format keeps 20).
PARTIAL_UNEXPECTED = 20


@dataclass(frozen=True)
class Suite:
    """The expectations on one table: declared columns, derived columns and expectations."""

    name: str
    table: str
    columns: Mapping[str, str]  # column -> DuckDB type as DESCRIBE prints it
    expectations: Sequence[Any]  # great_expectations.expectations.Expectation objects
    derived: Mapping[str, str] = field(default_factory=dict)  # column -> SQL expression
    daily: bool = True  # has a ``day`` column the rows can be limited by


@dataclass(frozen=True)
class Result:
    """The outcome of one expectation or SQL check on one table."""

    table: str
    suite: str
    kind: str  # expectation (Great Expectations) or sql (a DuckDB SQL check)
    expectation: str
    column: str | None
    description: str
    severity: str  # error (blocks downstream work) or warn
    success: bool
    element_count: int | None = None
    unexpected_count: int | None = None
    observed_value: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        """Return whether this result failed an expectation that blocks downstream work."""
        return self.severity == "error" and not self.success


def load_thresholds(path: Path | str | None = None) -> dict[str, Any]:
    """Return the suites' thresholds from ``path`` (default ``expectations/thresholds.yaml``)."""
    from spec_audit.errors import UserError

    path = Path(path) if path else THRESHOLDS
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UserError(f"{path}: cannot read thresholds ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise UserError(f"{path}: not valid YAML ({' '.join(str(error).split())})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping of table names to thresholds")
    return data


@cache
def required(*columns: str) -> list[Any]:
    """Return one error-level not-null expectation per column ("<column> is required")."""
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToNotBeNull(
            column=column, severity=ERROR, description=f"{column} is required"
        )
        for column in columns
    ]


def declared_columns(table: str) -> dict[str, str]:
    """Return column -> DuckDB type of ``table`` as a new database gets it from ``spec_audit.store``."""
    from spec_audit.store import connect

    con = connect(":memory:")
    try:
        return {row[0]: row[1] for row in con.execute(f"DESCRIBE {table}").fetchall()}
    finally:
        con.close()


def setting(thresholds: Mapping[str, Any], section: str, key: str) -> Any:
    """Return ``thresholds[section][key]``, or raise UserError naming the missing setting."""
    from spec_audit.errors import UserError

    value = (thresholds.get(section) or {}).get(key)
    if value is None:
        raise UserError(f"thresholds: missing setting {section}.{key}")
    return value


def run_suite(
    suite: Suite,
    source: duckdb.DuckDBPyConnection | pl.DataFrame | pd.DataFrame,
    *,
    days: Sequence[dt.date] | None = None,
) -> list[Result]:
    """Return the results of ``suite`` on its table in a DuckDB connection, or on a frame.

    ``days`` limits a daily table to those days (None: every row). A frame is registered as the
    suite's table in a private in-memory database, so frames and tables are checked alike.
    """
    if isinstance(source, duckdb.DuckDBPyConnection):
        return _run(suite, source, days)
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.register(suite.table, source)
        return _run(suite, con, days)
    finally:
        con.close()


def _run(
    suite: Suite, con: duckdb.DuckDBPyConnection, days: Sequence[dt.date] | None
) -> list[Result]:
    described = dict((row[0], row[1]) for row in con.execute(f"DESCRIBE {suite.table}").fetchall())
    results = _schema_results(suite, described)
    # Only the columns the expectations read are selected. An expectation on a column the table
    # lacks fails with its own message below; derived columns reading a missing column cannot be
    # computed, so the whole suite is reported. Nested values (lists, structs) as text: Great
    # Expectations fingerprints each batch by hashing the frame, and falls back to pickling all
    # of it when a column is unhashable.
    read = _read_columns(suite)
    columns = [
        f'CAST("{name}" AS VARCHAR) AS "{name}"' if _nested(kind) else f'"{name}"'
        for name, kind in described.items()
        if name in read
    ]
    columns += [f"{sql} AS {name}" for name, sql in suite.derived.items()]
    columns = columns or ["NULL AS no_column"]  # every column read is missing: GE says which
    where = ["day IN (SELECT unnest($days::DATE[]))"] if suite.daily and days else []
    params = {"days": list(days)} if where else None
    key = [f'"{name}"' for name in _batch_key(suite) if name in described]
    try:
        rows = _count(con, suite.table, where, params) if key else 0
        batches = max(1, -(-rows // BATCH_ROWS))
        outcomes, read_rows = [], 0
        for batch in range(batches):
            part = [f"hash({', '.join(key)}) % {batches} = {batch}"] if batches > 1 else []
            sql = f"SELECT {', '.join(columns)} FROM {suite.table} {_where(where + part)}"
            frame = con.execute(sql, params).df()
            outcomes.append(_validate(suite, frame))
            read_rows += len(frame)
            del frame
    except duckdb.Error as error:
        return [*results, _unrunnable(suite, str(error))]
    merged = (_merge(list(same)) for same in zip(*outcomes, strict=True))
    return [*results, *(_result(suite, outcome, read_rows) for outcome in merged)]


def _count(
    con: duckdb.DuckDBPyConnection, table: str, where: list[str], params: dict | None
) -> int:
    return con.execute(f"SELECT count(*) FROM {table} {_where(where)}", params).fetchall()[0][0]


def _where(conditions: list[str]) -> str:
    return f"WHERE {' AND '.join(conditions)}" if conditions else ""


def _nested(duckdb_type: str) -> bool:
    return duckdb_type.endswith("]") or duckdb_type.startswith(("STRUCT", "MAP", "UNION"))


def _columns_of(expectation: Any) -> list[str]:
    """Return the columns one expectation reads."""
    names = [getattr(expectation, name, None) for name in ("column", "column_A", "column_B")]
    return [n for n in names if n] + list(getattr(expectation, "column_list", None) or [])


def _read_columns(suite: Suite) -> set[str]:
    return {column for e in suite.expectations for column in _columns_of(e)}


def _batch_key(suite: Suite) -> list[str]:
    """Return the columns a table's rows are split into batches by ([]: validate it whole).

    Every expectation must be a row-by-row (map) expectation, so that counts over batches add up
    to the counts over the whole table. A uniqueness expectation compares rows with each other:
    rows are split by a hash of its columns, so rows that could be duplicates share a batch.
    Suites with aggregate expectations, or two different uniqueness keys, are validated whole.
    """
    import great_expectations.expectations as gxe
    from great_expectations.expectations.expectation import (
        ColumnMapExpectation,
        ColumnPairMapExpectation,
        MulticolumnMapExpectation,
    )

    maps = (ColumnMapExpectation, ColumnPairMapExpectation, MulticolumnMapExpectation)
    if not all(isinstance(e, maps) for e in suite.expectations):
        return []
    unique = (gxe.ExpectColumnValuesToBeUnique, gxe.ExpectCompoundColumnsToBeUnique)
    keys = {tuple(_columns_of(e)) for e in suite.expectations if isinstance(e, unique)}
    if len(keys) > 1:
        return []
    return list(keys.pop()) if keys else sorted(_read_columns(suite))


def validate_frame(suite: Suite, frame: pd.DataFrame) -> list[Result]:
    """Return one result per expectation of ``suite`` validated on a pandas frame."""
    return [_result(suite, outcome, len(frame)) for outcome in _validate(suite, frame)]


def _validate(suite: Suite, frame: pd.DataFrame) -> list[Any]:
    """Return Great Expectations' outcome of each expectation of ``suite`` on a pandas frame."""
    import great_expectations as gx

    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
    gx_suite = gx.ExpectationSuite(name=suite.name)
    for expectation in suite.expectations:
        # Copies: adding an expectation to a suite gives it an id, and a Suite may be run again.
        gx_suite.add_expectation(expectation.copy(update={"id": None}))
    return list(batch.validate(gx_suite, result_format="SUMMARY").results)


@dataclass(frozen=True)
class _Outcome:
    """One expectation's outcome over several batches, shaped like Great Expectations' own."""

    expectation_config: Any
    success: bool
    result: dict[str, Any]
    exception_info: dict[str, Any]


def _merge(outcomes: list[Any]) -> Any:
    """Return one expectation's outcome over every batch from its outcomes on each batch.

    Counts add up; success is decided as Great Expectations decides it for a map expectation
    (the share of considered rows, those not missing, that are expected is at least ``mostly``);
    the unexpected values seen in each batch are merged, most frequent first.
    """
    if len(outcomes) == 1:
        return outcomes[0]
    failed = next((o for o in outcomes if _exception(o)), None)
    if failed is not None:  # a missing column fails every batch alike
        return failed
    parts = [dict(o.result or {}) for o in outcomes]
    total = {k: sum(p.get(k) or 0 for p in parts) for k in ("element_count", "unexpected_count")}
    result: dict[str, Any] = dict(total)
    considered = total["element_count"]
    if any("missing_count" in p for p in parts):
        result["missing_count"] = sum(p.get("missing_count") or 0 for p in parts)
        considered -= result["missing_count"]
    unexpected = total["unexpected_count"]
    result["unexpected_percent"] = unexpected / considered * 100 if considered else None
    mostly = outcomes[0].expectation_config.kwargs.get("mostly")
    mostly = 1.0 if mostly is None else float(mostly)
    success = considered == 0 or (considered - unexpected) / considered >= mostly
    counts: dict[str, dict[str, Any]] = {}
    for part in parts:
        for item in part.get("partial_unexpected_counts", []):
            seen = counts.setdefault(repr(item["value"]), {"value": item["value"], "count": 0})
            seen["count"] += item["count"]
    if counts:
        result["partial_unexpected_counts"] = sorted(counts.values(), key=lambda c: -c["count"])[
            :PARTIAL_UNEXPECTED
        ]
    return _Outcome(outcomes[0].expectation_config, success, result, {})


@cache
def _batch_definition() -> Any:
    """Return a whole-dataframe batch definition on one in-memory context for the process."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    asset = context.data_sources.add_pandas("spec_audit").add_dataframe_asset("table")
    return asset.add_batch_definition_whole_dataframe("rows")


def _result(suite: Suite, outcome: Any, rows: int) -> Result:
    config = outcome.expectation_config
    kwargs = config.kwargs
    result = dict(outcome.result or {})
    column = kwargs.get("column") or ",".join(
        kwargs.get("column_list")
        or [c for c in (kwargs.get("column_A"), kwargs.get("column_B")) if c]
    )
    details: dict[str, Any] = {
        k: v
        for k, v in kwargs.items()
        if k not in ("column", "column_list", "column_A", "column_B", "batch_id") and v is not None
    }
    if "partial_unexpected_counts" in result:
        details["unexpected_values"] = result["partial_unexpected_counts"][:5]
    if "unexpected_percent" in result:
        details["unexpected_percent"] = result["unexpected_percent"]
    exception = _exception(outcome)
    if exception:
        details["exception"] = exception
    unexpected = result.get("unexpected_count")
    observed = result.get("observed_value")
    if observed is None and unexpected:
        values = [_text(v.get("value")) for v in result.get("partial_unexpected_counts", [])[:3]]
        observed = "unexpected: " + ", ".join(str(v) for v in values) if values else None
    return Result(
        table=suite.table,
        suite=suite.name,
        kind="expectation",
        expectation=config.type,
        column=column or None,
        description=config.description or config.type.replace("_", " "),
        severity=SEVERITIES[str(getattr(config.severity, "value", config.severity))],
        success=bool(outcome.success),
        element_count=result.get("element_count", rows),
        unexpected_count=None if unexpected is None else int(unexpected),
        observed_value=_text(observed),
        details=json.loads(json.dumps(details, default=_text)),
    )


def _exception(outcome: Any) -> str | None:
    """Return the message of an exception raised while validating, if any (a missing column)."""
    info = outcome.exception_info or {}
    if "exception_message" in info:
        return info["exception_message"] if info.get("raised_exception") else None
    messages = [v.get("exception_message") for v in info.values() if isinstance(v, dict)]
    return next((m for m in messages if m), None)


def _text(value: object) -> str | None:
    """Return a value as short text for the observed_value column (floats to 6 significant digits)."""
    if value is None:
        return None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return str(int(value))
    if isinstance(value, numbers.Real):  # numpy scalars too
        number = float(value)
        return "nan" if math.isnan(number) else f"{number:.6g}"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _schema_results(suite: Suite, described: Mapping[str, str]) -> list[Result]:
    """Return two SQL checks: declared columns present with their types (error), and no
    undeclared columns (warn: a column added by a newer version is not wrong, only unchecked)."""
    problems = [
        f"{name}: missing" if name not in described else f"{name}: {described[name]}, want {want}"
        for name, want in suite.columns.items()
        if described.get(name) != want
    ]
    extra = [name for name in described if name not in suite.columns]
    common = {"table": suite.table, "suite": suite.name, "kind": "sql", "column": None}
    return [
        Result(
            **common,
            expectation="declared_columns_and_types",
            description="the table has every declared column, with the declared type",
            severity="error",
            success=not problems,
            element_count=len(suite.columns),
            unexpected_count=len(problems),
            observed_value="; ".join(problems[:5]) or None,
            details={"problems": problems},
        ),
        Result(
            **common,
            expectation="no_undeclared_columns",
            description="the table has no column the suite does not declare",
            severity="warn",
            success=not extra,
            element_count=len(described),
            unexpected_count=len(extra),
            observed_value=", ".join(extra) or None,
            details={"undeclared": extra},
        ),
    ]


def _unrunnable(suite: Suite, message: str) -> Result:
    return Result(
        table=suite.table,
        suite=suite.name,
        kind="sql",
        expectation="rows_readable",
        column=None,
        description="the rows and derived columns the expectations read can be selected",
        severity="error",
        success=False,
        observed_value=" ".join(message.split())[:300],
    )
