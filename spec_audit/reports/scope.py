"""What a report covers: its period, models and spec version, as the parameters of its queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from spec_audit.store import query

SQL_DIR = Path(__file__).resolve().parent / "sql"


@cache
def sql(name: str) -> str:
    """Return the text of ``spec_audit/reports/sql/<name>.sql``."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Scope:
    """The days [start, end], the models (empty = every model) and the spec version reported on."""

    start: dt.date
    end: dt.date
    models: tuple[str, ...]
    spec_id: str
    spec_version: str

    @property
    def days(self) -> int:
        """Return the number of days in the period."""
        return (self.end - self.start).days + 1

    def params(self, **extra: object) -> dict[str, object]:
        """Return the named parameters every report query takes, plus ``extra``."""
        return {
            "from": self.start,
            "to": self.end,
            "models": list(self.models),
            "spec_id": self.spec_id,
            "spec_version": self.spec_version,
            **extra,
        }

    def run(self, con: duckdb.DuckDBPyConnection, name: str, **extra: object) -> pl.DataFrame:
        """Return the result of ``sql/<name>.sql`` for this scope (parameters it does not use dropped)."""
        text = sql(name)
        # DuckDB refuses named parameters a statement does not use.
        params = {k: v for k, v in self.params(**extra).items() if f"${k}" in text}
        return query(con, text, params)
