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
    # An expectation on a column the table lacks fails with its own message below; derived
    # columns reading a missing column cannot be computed, so the whole suite is reported.
    # Nested values (lists, structs) as text: Great Expectations fingerprints each batch by
    # hashing the frame, and falls back to pickling all of it when a column is unhashable.
    columns = [
        f'CAST("{name}" AS VARCHAR) AS "{name}"' if _nested(kind) else f'"{name}"'
        for name, kind in described.items()
    ]
    columns += [f"{sql} AS {name}" for name, sql in suite.derived.items()]
    where = "WHERE day IN (SELECT unnest($days::DATE[]))" if suite.daily and days else ""
    sql = f"SELECT {', '.join(columns)} FROM {suite.table} {where}"
    try:
        frame = con.execute(sql, {"days": list(days)} if where else None).df()
    except duckdb.Error as error:
        return [*results, _unrunnable(suite, str(error))]
    return [*results, *validate_frame(suite, frame)]


def _nested(duckdb_type: str) -> bool:
    return duckdb_type.endswith("]") or duckdb_type.startswith(("STRUCT", "MAP", "UNION"))


def validate_frame(suite: Suite, frame: pd.DataFrame) -> list[Result]:
    """Return one result per expectation of ``suite`` validated on a pandas frame."""
    import great_expectations as gx

    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
    gx_suite = gx.ExpectationSuite(name=suite.name)
    for expectation in suite.expectations:
        # Copies: adding an expectation to a suite gives it an id, and a Suite may be run again.
        gx_suite.add_expectation(expectation.copy(update={"id": None}))
    outcome = batch.validate(gx_suite, result_format="SUMMARY")
    return [_result(suite, r, len(frame)) for r in outcome.results]


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
