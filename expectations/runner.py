"""The runner: one suite's expectations executed by Great Expectations 1.x on DuckDB, in SQL.

A ``Suite`` names a table, the DuckDB types its columns are declared with, SQL expressions for the
derived columns its expectations read (``violations <= applicable`` is a column pair, an interval
containing its rate is a difference), and its Great Expectations. ``run_suite`` checks the table's
columns and types against the declaration with DuckDB's ``DESCRIBE``, then hands Great Expectations
one SQL query (the columns read, the derived columns, the days asked for) through its SQLAlchemy
execution engine on the caller's own DuckDB connection: each expectation is compiled into
aggregate SQL that DuckDB runs over the rows where they are, so no rows are copied into Python and
memory does not grow with the table. It returns one ``Result`` per expectation. A Polars or pandas
frame is registered as the table in a private in-memory database and checked alike.

Great Expectations takes seconds to import, so it is imported when a suite is built or run, never
when this package is imported (the Dagster code location and the CLI load it for every command).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import numbers
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl
import yaml

if TYPE_CHECKING:
    import pandas as pd

THRESHOLDS = Path(__file__).resolve().parent / "thresholds.yaml"
#: Great Expectations severities: ``ERROR`` fails block downstream work, ``WARN`` fails do not.
ERROR, WARN = "critical", "warning"
SEVERITIES = {"critical": "error", "warning": "warn", "info": "info"}
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
    query = _query(suite, described, days)
    try:  # derived columns reading a missing column cannot be computed: the suite is reported
        con.execute(f"DESCRIBE {query}").fetchall()
    except duckdb.Error as error:
        return [*results, _unrunnable(suite, str(error))]
    outcomes = _validate(suite, con, query)
    rows = None
    if any("element_count" not in (o.result or {}) for o in outcomes):  # an expectation raised
        rows = con.execute(f"SELECT count(*) FROM ({query})").fetchall()[0][0]
    return [*results, *(_result(suite, outcome, rows) for outcome in outcomes)]


def _query(suite: Suite, described: Mapping[str, str], days: Sequence[dt.date] | None) -> str:
    """Return the SQL selecting the columns the expectations of ``suite`` read, on ``days``.

    Only those columns are selected, with the derived ones. An expectation on a column the table
    lacks fails with Great Expectations' own message. Nested values (lists, structs) are read as
    text, as their unexpected values are reported.
    """
    read = _read_columns(suite)
    columns = [
        f'CAST("{name}" AS VARCHAR) AS "{name}"' if _nested(kind) else f'"{name}"'
        for name, kind in described.items()
        if name in read
    ]
    columns += [f"{sql} AS {name}" for name, sql in suite.derived.items()]
    columns = columns or ["NULL AS no_column"]  # every column read is missing: GE says which
    # Dates from the caller as DATE literals: Great Expectations takes the query as text.
    chosen = ", ".join(f"DATE '{day:%Y-%m-%d}'" for day in days or ())
    where = f" WHERE day IN ({chosen})" if suite.daily and days else ""
    return f"SELECT {', '.join(columns)} FROM {suite.table}{where}"


def _nested(duckdb_type: str) -> bool:
    return duckdb_type.endswith("]") or duckdb_type.startswith(("STRUCT", "MAP", "UNION"))


def _columns_of(expectation: Any) -> list[str]:
    """Return the columns one expectation reads."""
    names = [getattr(expectation, name, None) for name in ("column", "column_A", "column_B")]
    return [n for n in names if n] + list(getattr(expectation, "column_list", None) or [])


def _read_columns(suite: Suite) -> set[str]:
    return {column for e in suite.expectations for column in _columns_of(e)}


def _validate(suite: Suite, con: duckdb.DuckDBPyConnection, query: str) -> list[Any]:
    """Return Great Expectations' outcome of each expectation of ``suite`` on the rows of ``query``.

    Counts come first, without unexpected values: finding a few unexpected values of a check that
    has none costs as much as counting them (for a uniqueness check, grouping every row again).
    Only the expectations that found some are run again for their values.
    """
    with _lent(con) as source:
        asset = source.add_query_asset(name=suite.name, query=query)
        try:
            batch = asset.add_batch_definition_whole_table("rows").get_batch()
            outcomes = _outcomes(batch, suite.name, suite.expectations, examples=0)
            found = {_key(o.expectation_config) for o in outcomes if _unexpected(o)}
            again = [e for e in suite.expectations if _key(e.configuration) in found]
            redone = {_key(o.expectation_config): o for o in _outcomes(batch, suite.name, again)}
            return [redone.get(_key(o.expectation_config), o) for o in outcomes]
        finally:
            source.delete_asset(suite.name)


def _unexpected(outcome: Any) -> bool:
    return bool((outcome.result or {}).get("unexpected_count"))


def _key(config: Any) -> str:
    """Return what tells one expectation of a suite from another: its type and arguments."""
    kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
    return json.dumps([config.type, kwargs], sort_keys=True, default=str)


def _outcomes(
    batch: Any, name: str, expectations: Sequence[Any], examples: int = PARTIAL_UNEXPECTED
) -> list[Any]:
    """Return the outcomes of ``expectations`` on ``batch``, with up to ``examples`` unexpected values."""
    import great_expectations as gx

    if not expectations:
        return []
    gx_suite = gx.ExpectationSuite(name=name)
    for expectation in expectations:
        # Copies: adding an expectation to a suite gives it an id, and a Suite may be run again.
        gx_suite.add_expectation(expectation.copy(update={"id": None}))
    result_format = {"result_format": "SUMMARY", "partial_unexpected_count": examples}
    return list(batch.validate(gx_suite, result_format=result_format).results)


#: The DuckDB connection Great Expectations' engine reads through while a suite runs.
_LENT: list[duckdb.DuckDBPyConnection] = []


@contextmanager
def _lent(con: duckdb.DuckDBPyConnection) -> Iterator[Any]:
    """Yield the SQL data source of Great Expectations, reading through ``con`` meanwhile."""
    _LENT.append(con)
    try:
        yield _sql_source()
    finally:
        _LENT.pop()


@cache
def _sql_source() -> Any:
    """Return a SQL data source on one in-memory context for the process, reading ``_LENT``.

    The database is already open in this process (a second ``duckdb.connect`` of the file with
    another configuration fails), so SQLAlchemy's pool lends the caller's connection instead of
    opening one (``creator``; ``NullPool`` asks for it at every checkout). DuckDB allows one
    pending result per connection and duckdb-engine turns SQLAlchemy's transaction calls into
    DuckDB ``BEGIN`` and ``ROLLBACK``: Great Expectations fetches a query's rows after its
    connection is given back, by then rolled back, which discards the result (every metric came
    back empty). Great Expectations only reads, so the lent connection ignores begin, commit,
    rollback and close: each query runs in DuckDB's autocommit, and the caller's connection, and
    any transaction the caller has open, are left as they were.
    """
    import great_expectations as gx
    from duckdb_engine import ConnectionWrapper
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.pool import NullPool

    class Lent(ConnectionWrapper):
        def begin(self) -> None:
            pass

        def commit(self) -> None:
            pass

        def rollback(self) -> None:
            pass

        def close(self) -> None:
            pass

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    source = context.data_sources.add_sql(
        "spec_audit",
        connection_string="duckdb:///:memory:",  # names the dialect; rows come from ``_LENT``
        kwargs={
            "creator": lambda: Lent(_LENT[-1]),
            "poolclass": NullPool,
            "pool_reset_on_return": None,
        },
    )
    # Great Expectations writes a regex match in the SQL of the dialect module it knows, and
    # knows none for DuckDB: it is told PostgreSQL's, whose ``~`` DuckDB implements alike (a match
    # anywhere in the text, as ``str.contains`` in Great Expectations' pandas engine). Only the
    # regex expectation reads this module among those the suites use.
    source.get_execution_engine().dialect_module = _DialectModule(postgresql.dialect)
    return source


@dataclass(frozen=True)
class _DialectModule:
    """Stands for a SQLAlchemy dialect module, as Great Expectations reads one: ``.dialect``."""

    dialect: type


def _result(suite: Suite, outcome: Any, rows: int | None) -> Result:
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
