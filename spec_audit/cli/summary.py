"""`spec-audit summary`: print the audit summary of the database."""

from __future__ import annotations

from spec_audit import config, store
from spec_audit.cli import render
from spec_audit.cli.options import DbOption, FromOption, SpecOption, ToOption, parse_day
from spec_audit.errors import UserError
from spec_audit.spec.catalog import load_catalog
from spec_audit.summary import summarize


def summary(
    db: DbOption = None,
    spec: SpecOption = None,
    start: FromOption = None,
    end: ToOption = None,
) -> None:
    """Print per-clause violation rates with intervals and the refusal quadrant.

    Example: spec-audit summary --from 2026-10-01 --to 2026-10-07
    """
    catalog = load_catalog(config.spec_path(spec))
    path = config.db_path(db)
    if not path.exists():
        raise UserError(f"{path}: no audit database yet; run `spec-audit run` first")
    con = store.connect(path, read_only=True)
    try:
        result = summarize(con, catalog, path, parse_day(start, "--from"), parse_day(end, "--to"))
    finally:
        con.close()
    render.summary(result)
