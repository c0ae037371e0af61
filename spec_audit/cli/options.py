"""Options every command shares, and the consoles commands print to."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from spec_audit.errors import UserError

# Piped output (CI logs, README examples) is 120 columns wide rather than Rich's 80 default.
_WIDTH = None if sys.stdout.isatty() else 120
console = Console(highlight=False, width=_WIDTH)

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="DuckDB file (default: $SPEC_AUDIT_DB or data/audit.duckdb).",
        show_default=False,
    ),
]
SpecOption = Annotated[
    str | None,
    typer.Option(
        "--spec",
        help="Spec catalog: a YAML file, a shipped version (2025-02-12 or model-spec@2025-02-12), "
        "or a deployment file with overlays (default: $SPEC_AUDIT_SPEC or "
        "data/spec/model-spec/2025-12-18.yaml).",
        show_default=False,
    ),
]
FromOption = Annotated[
    str | None,
    typer.Option(
        "--from",
        help="First day to audit, YYYY-MM-DD (default: first day with data).",
        show_default=False,
    ),
]
ToOption = Annotated[
    str | None,
    typer.Option(
        "--to",
        help="Last day to audit, YYYY-MM-DD (default: last day with data).",
        show_default=False,
    ),
]


def parse_day(value: str | None, option: str) -> dt.date | None:
    """Return the date of a YYYY-MM-DD option value, or raise UserError naming the option."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option} {value!r}: expected a date as YYYY-MM-DD") from None
