"""`spec-audit summary`: print the audit summary of the database."""

from __future__ import annotations

from spec_audit import config, store
from spec_audit.cli import render
from spec_audit.cli.options import DbOption, FromOption, SpecOption, ToOption, parse_day
from spec_audit.cli.spec import print_overlays
from spec_audit.errors import UserError
from spec_audit.spec.catalog import load_catalog
from spec_audit.spec.versions import resolve_spec
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
    catalog = load_catalog(resolve_spec(spec))
    path = config.db_path(db)
    if not path.exists():
        raise UserError(f"{path}: no audit database yet; run `spec-audit run` first")
    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    con = store.connect(path, read_only=True)
    try:
        render.summary(summarize(con, catalog, path, first, last))
        print_overlays(catalog, con, first, last)
    finally:
        con.close()
