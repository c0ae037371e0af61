"""Cross-table identities, as DuckDB SQL checks (Great Expectations validates one table at a time).

Each check is an SQL file in ``expectations/sql/`` returning one row (element_count,
unexpected_count, examples) and is recorded like an expectation, with kind ``sql``: every file's
manifest counts equal its stored rows, conversations have their turns, ``signals`` has one row per
turn of each audited day, findings only exist for stored turns, and ``clause_metrics`` counts equal
the findings they summarise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from expectations.runner import Result

SQL_DIR = Path(__file__).resolve().parent / "sql"


@dataclass(frozen=True)
class Identity:
    """One SQL check: the table it is reported on, its file name and what it asserts."""

    table: str
    name: str
    description: str
    severity: str = "error"

    def run(self, con: duckdb.DuckDBPyConnection, days: Sequence[dt.date] | None) -> Result:
        """Return the check's result on the database, limited to ``days`` where it has days."""
        sql = (SQL_DIR / f"{self.name}.sql").read_text(encoding="utf-8")
        params = {"days": list(days) if days else None} if "$days" in sql else None
        try:
            elements, unexpected, examples = con.execute(sql, params).fetchall()[0]
        except duckdb.Error as error:
            # A table missing a column the check reads: its schema check says which.
            return Result(
                table=self.table,
                suite=self.table,
                kind="sql",
                expectation=self.name,
                column=None,
                description=self.description,
                severity=self.severity,
                success=False,
                observed_value=" ".join(str(error).split())[:300],
            )
        return Result(
            table=self.table,
            suite=self.table,
            kind="sql",
            expectation=self.name,
            column=None,
            description=self.description,
            severity=self.severity,
            success=unexpected == 0,
            element_count=elements,
            unexpected_count=unexpected,
            observed_value="; ".join(examples or []) or None,
            details={"examples": list(examples or [])},
        )


IDENTITIES: tuple[Identity, ...] = (
    Identity(
        "ingest_manifest",
        "manifest_matches_stored_rows",
        "each file's accepted and rejected counts equal the rows stored from it",
    ),
    Identity(
        "conversations",
        "rows_have_manifest",
        "every conversation and rejected record comes from a file in the manifest",
    ),
    Identity(
        "turns",
        "turns_match_conversations",
        "each conversation has n_turns turns; every turn has its conversation",
    ),
    Identity(
        "signals",
        "signals_match_turns",
        "signals has exactly one row per turn on every audited day",
    ),
    Identity(
        "findings",
        "findings_have_turns",
        "every finding is about a stored turn, on its day and model",
    ),
    Identity(
        "clause_metrics",
        "clause_metrics_match_findings",
        "clause_metrics counts equal the findings they summarise",
    ),
)


def identities_for(table: str) -> tuple[Identity, ...]:
    """Return the SQL checks reported on ``table``."""
    return tuple(i for i in IDENTITIES if i.table == table)
