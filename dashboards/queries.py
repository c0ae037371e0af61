"""Every query the dashboards run: read-only, parameterised, cached, over the published snapshot.

The SQL lives in ``dashboards/sql/*.sql`` and takes parameters only; nothing typed by a user is
ever spliced into SQL text. Each query function takes a ``Snapshot`` (the file and its
modification time) so a newly published snapshot is a new cache key: ``st.cache_resource`` holds
one read-only connection per snapshot, ``st.cache_data`` holds result frames. Each query runs on
its own cursor, because Streamlit serves sessions from several threads and a DuckDB connection
object must not be shared between threads at once.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import streamlit as st

from spec_audit import config
from spec_audit.errors import UserError
from spec_audit.metrics import with_rate_macros, z_value
from spec_audit.snapshot import READ_MODELS, snapshot_path, with_search_macro
from spec_audit.spec.catalog import Catalog, load_catalog
from spec_audit.spec.coverage import coverage as catalog_coverage
from spec_audit.spec.versions import resolve_spec
from spec_audit.stats.prevalence import corrected_prevalence
from spec_audit.store import connect

SQL_DIR = Path(__file__).resolve().parent / "sql"
#: Environment variable `spec-audit dashboard` sets to the snapshot it serves.
SNAPSHOT_ENV = "SPEC_AUDIT_SNAPSHOT"
#: Rows the explorer lists at most; the auditor narrows the filters rather than scrolls.
EXPLORER_LIMIT = 50
#: A text search checks the newest 8 times `limit` conversations holding its rarest word, then the
#: newest 64 times `limit`, then all, and stops once a batch fills the page: a common word or phrase
#: costs a few hundred conversations' text, not a month's. A batch too small to fill the page at the
#: rate of matches the previous batch found is skipped.
SEARCH_BATCHES = (8, 64, None)
#: What a text search matches, as the explorer page states it.
SEARCH_HELP = (
    "Case-insensitive. Lists conversations that contain every word of the search as a whole word "
    "(a word is a run of letters and digits) and, for more than one bare word, the whole search "
    "as typed in one user message or reply: 'kitchen knife' is a phrase, 'knif' finds nothing."
)


@dataclass(frozen=True)
class Snapshot:
    """The published snapshot a page reads: its path and modification time (the cache key)."""

    path: str
    stamp: int


@dataclass(frozen=True)
class Filters:
    """The sidebar filters every page applies: spec version, days, models and surfaces."""

    spec_id: str
    spec_version: str
    start: dt.date
    end: dt.date
    models: tuple[str, ...] = ()  # empty: every model
    surfaces: tuple[str, ...] = ()  # empty: every surface; '(none)' selects a missing surface

    def params(self) -> dict[str, Any]:
        """Return the filters as named SQL parameters."""
        return {
            "spec_id": self.spec_id,
            "spec_version": self.spec_version,
            "start": self.start,
            "end": self.end,
            "models": list(self.models),
            "surfaces": list(self.surfaces),
        }


def current_snapshot() -> Snapshot:
    """Return the snapshot to serve: ``$SPEC_AUDIT_SNAPSHOT``, else the one beside the audit DB."""
    path = Path(os.environ.get(SNAPSHOT_ENV) or snapshot_path(config.db_path()))
    if not path.exists():
        raise UserError(f"{path}: no published snapshot yet; run `spec-audit run` first")
    return Snapshot(str(path), path.stat().st_mtime_ns)


@st.cache_data(max_entries=4, show_spinner=False)
def check_read_models(snap: Snapshot) -> None:
    """Raise UserError when the snapshot lacks a table publish builds (published by an older version)."""
    missing = [table for table in READ_MODELS if not has_table(snap, table)]
    if missing:
        raise UserError(
            f"{snap.path}: published without {missing[0]} (an older spec-audit); "
            "run `spec-audit run` again to publish it"
        )


def audit_db() -> Path:
    """Return the live audit database the snapshot was published from (``$SPEC_AUDIT_DB``)."""
    return config.db_path()


@cache
def sql(name: str) -> str:
    """Return the text of ``dashboards/sql/<name>.sql``."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


@st.cache_resource(max_entries=4, show_spinner=False)
def connection(snap: Snapshot) -> duckdb.DuckDBPyConnection:
    """Return the shared read-only connection to one published snapshot."""
    return connect(snap.path, read_only=True)


def run(snap: Snapshot, name: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
    """Return the result of ``sql/<name>.sql`` with ``params`` on a fresh cursor (uncached)."""
    cursor = connection(snap).cursor()
    try:
        with_rate_macros(cursor)
        return cursor.sql(sql(name), params=params or None).pl()
    finally:
        cursor.close()


def has_table(snap: Snapshot, table: str) -> bool:
    """Return whether the snapshot has ``table`` (tables added by later issues may be missing)."""
    cursor = connection(snap).cursor()
    try:
        rows = cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
        ).fetchall()
    finally:
        cursor.close()
    return bool(rows[0][0])


@st.cache_resource(show_spinner=False)
def catalog(spec: str) -> Catalog | None:
    """Return the shipped catalog ``spec_id@version``, or None when it is not shipped."""
    try:
        return load_catalog(resolve_spec(spec))
    except UserError:
        return None


def clause_table(spec: str) -> pl.DataFrame:
    """Return clause_id, title, layer, authority, severity, chapter of a shipped catalog (or none)."""
    found = catalog(spec)
    schema = dict.fromkeys(
        ("clause_id", "title", "layer", "authority", "severity", "chapter"), pl.String
    )
    if found is None:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(
        [(c.id, c.title, c.layer, c.authority, c.severity, c.chapter) for c in found.clauses],
        schema=schema,
        orient="row",
    )


@st.cache_data(max_entries=16, show_spinner=False)
def options(snap: Snapshot) -> dict[str, Any]:
    """Return the filter choices: specs, models, surfaces, first_day and last_day."""
    return run(snap, "options").row(0, named=True)


@st.cache_data(max_entries=64, show_spinner=False)
def scorecard(snap: Snapshot, filters: Filters) -> pl.DataFrame:
    """Return one row per clause: counts, rate with interval, corrected rate, trend, drift, metadata.

    The drift verdict is the clause's most significant window test (lowest q) among the selected
    models; the corrected rate is Rogan–Gladen with the newest measured accuracy, null if unmeasured.
    """
    frame = run(snap, "scorecard", {**filters.params(), "z": z_value()})
    accuracy = run(snap, "accuracy", {"spec_version": filters.spec_version})
    frame = frame.join(
        accuracy.select("clause_id", "sensitivity", "specificity", "n_pos", "n_neg"),
        on="clause_id",
        how="left",
    )
    estimate, low, high = corrected_prevalence(
        frame["violations"].to_numpy(),
        frame["applicable"].to_numpy(),
        frame["sensitivity"].fill_null(float("nan")).to_numpy(),
        frame["specificity"].fill_null(float("nan")).to_numpy(),
        frame["n_pos"].fill_null(0).to_numpy(),
        frame["n_neg"].fill_null(0).to_numpy(),
        draws=2000,
    )
    frame = frame.with_columns(
        corrected=pl.Series(estimate).fill_nan(None),
        corrected_low=pl.Series(low).fill_nan(None),
        corrected_high=pl.Series(high).fill_nan(None),
    )
    drift = run(
        snap,
        "drift_latest",
        {**_spec(filters), "comparison": "window", "clause_id": None},
    )
    if filters.models:
        drift = drift.filter(pl.col("model_a").is_in(filters.models))
    worst = (
        drift.sort("q_value", nulls_last=True)
        .group_by("clause_id", maintain_order=True)
        .first()
        .select(
            "clause_id",
            pl.col("verdict").alias("drift"),
            pl.col("q_value").alias("drift_q"),
            pl.col("model_a").alias("drift_model"),
        )
    )
    meta = clause_table(f"{filters.spec_id}@{filters.spec_version}")
    return (
        frame.join(worst, on="clause_id", how="left")
        .join(meta, on="clause_id", how="left")
        .sort(["rate", "clause_id"], descending=[True, False], nulls_last=True)
    )


@st.cache_data(max_entries=64, show_spinner=False)
def headline(snap: Snapshot, filters: Filters) -> dict[str, int]:
    """Return conversations, turns, over_refusals and under_refusals over the filters."""
    counts = run(snap, "headline", _days(filters)).row(0, named=True)
    harm = quadrant_by_harm(snap, filters)
    over = harm.filter(pl.col("prompt_intent") == "benign")["refused"].sum()
    under = harm.filter(pl.col("prompt_intent") == "harmful")["complied"].sum()
    return {**counts, "over_refusals": int(over), "under_refusals": int(under)}


@st.cache_data(max_entries=64, show_spinner=False)
def quadrant_by_harm(snap: Snapshot, filters: Filters) -> pl.DataFrame:
    """Return harm_category, prompt_intent, complied, refused, no_reply turn counts."""
    return run(snap, "quadrant_harm", _days(filters))


def quadrant(harm: pl.DataFrame) -> pl.DataFrame:
    """Return the overall refusal quadrant (prompt_intent × complied/refused/no_reply) of ``harm``."""
    return (
        harm.group_by("prompt_intent")
        .agg(pl.col("complied", "refused", "no_reply").sum())
        .sort("prompt_intent")
    )


@st.cache_data(max_entries=64, show_spinner=False)
def quadrant_by_clause(snap: Snapshot, filters: Filters) -> pl.DataFrame:
    """Return, per refusal clause, its applicable turns split by prompt intent × refused/complied."""
    return run(snap, "quadrant_clause", filters.params())


@st.cache_data(max_entries=64, show_spinner=False)
def clause_series(snap: Snapshot, filters: Filters, clause_id: str) -> pl.DataFrame:
    """Return the clause's daily rate per model with 95% Wilson intervals."""
    return run(snap, "clause_series", {**filters.params(), "clause_id": clause_id, "z": z_value()})


@st.cache_data(max_entries=64, show_spinner=False)
def change_points(snap: Snapshot, filters: Filters, clause_id: str) -> pl.DataFrame:
    """Return the clause's change-point rows (one per model) of the newest window."""
    return run(snap, "change_points", {**_spec(filters), "clause_id": clause_id})


@st.cache_data(max_entries=64, show_spinner=False)
def drift(
    snap: Snapshot, filters: Filters, comparison: str, clause_id: str | None = None
) -> pl.DataFrame:
    """Return the newest window's drift tests of one comparison ('window' or 'model')."""
    return run(
        snap,
        "drift_latest",
        {**_spec(filters), "comparison": comparison, "clause_id": clause_id},
    )


@st.cache_data(max_entries=16, show_spinner=False)
def disparity(snap: Snapshot) -> pl.DataFrame:
    """Return the newest window's omnibus disparity tests."""
    return run(snap, "disparity_latest")


@st.cache_data(max_entries=64, show_spinner=False)
def explorer(
    snap: Snapshot,
    filters: Filters,
    clause_id: str | None = None,
    verdict: str | None = None,
    kind: str | None = None,
    search: str | None = None,
    limit: int = EXPLORER_LIMIT,
) -> pl.DataFrame:
    """Return conversations with a matching finding (and text, if ``search``), newest first.

    ``search`` matches as ``SEARCH_HELP`` says; one without a letter or digit is a UserError.
    """
    params = {
        **filters.params(),
        "clause_id": clause_id,
        "verdict": verdict,
        "kind": kind,
        "search": False,
        "words": [],
        "rare": None,
        "batch": None,
        "verify": False,
        "pattern": None,
        "limit": limit,
    }
    if not search:
        return run(snap, "explorer", params)
    words = search_words(snap, search)
    if not words:
        raise UserError(f"search {search!r}: type at least one letter or digit")
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    span = {"words": words, "start": filters.start, "end": filters.end}
    counts = dict(run(snap, "search_word_counts", span).rows())  # word -> conversations
    rare = min(words, key=lambda word: counts.get(word, 0))
    params |= {
        "search": True,
        "words": words,
        "rare": rare,
        # One bare word is found exactly by the index; anything else is checked as typed.
        "verify": words != [search.strip().lower()],
        "pattern": f"%{escaped}%",
    }
    needed = 0  # candidates a batch needs to fill the page, at the rate of matches seen so far
    for times in SEARCH_BATCHES:
        batch = None if times is None else times * limit
        if batch is not None and batch < needed:
            continue  # it would not fill the page: go on to a larger batch
        found = run(snap, "explorer", {**params, "batch": batch})
        # A batch that fills the page holds exactly the newest matches (candidates are checked
        # in the page's order); one that held every candidate is the whole answer.
        if found.height >= limit or batch is None or counts.get(rare, 0) <= batch:
            return found
        needed = batch * limit // max(found.height, 1)
    raise AssertionError("unreachable: the last batch is every candidate")


def search_words(snap: Snapshot, text: str) -> list[str]:
    """Return the words of ``text`` as the search index splits them (lower-case, each once)."""
    cursor = connection(snap).cursor()
    try:
        with_search_macro(cursor)
        return cursor.execute("SELECT list_distinct(search_words(?))", [text]).fetchall()[0][0]
    finally:
        cursor.close()


@st.cache_data(max_entries=64, show_spinner=False)
def conversation(snap: Snapshot, filters: Filters, conversation_id: str) -> dict[str, Any] | None:
    """Return the conversation row and its turns (with signals), findings and evidence frames.

    None when no conversation has this id. Every lookup is bounded by the conversation's day
    and its turn ids, so it reads one day's row groups, not the whole table.
    """
    head = run(snap, "conversation", {"conversation_id": conversation_id})
    if head.is_empty():
        return None
    row = head.row(0, named=True)
    turn_ids = [f"{conversation_id}:{i}" for i in range(row["n_turns"])]
    keyed = {"turn_ids": turn_ids, "day": row["day"]}
    return {
        "conversation": row,
        "turns": run(snap, "conversation_turns", keyed),
        "findings": run(
            snap,
            "conversation_findings",
            {"conversation_id": conversation_id, "day": row["day"], **_spec(filters)},
        ),
        "evidence": run(snap, "conversation_evidence", keyed),
    }


@st.cache_data(max_entries=64, show_spinner=False)
def review_sample(
    snap: Snapshot, filters: Filters, clause_id: str | None, per_stratum: int, seed: int
) -> pl.DataFrame:
    """Return a seeded stratified sample of scored findings, with each stratum's size."""
    return run(
        snap,
        "review_sample",
        {**filters.params(), "clause_id": clause_id, "per_stratum": per_stratum, "seed": seed},
    )


@st.cache_data(max_entries=16, show_spinner=False)
def turns_text(snap: Snapshot, turn_ids: tuple[str, ...]) -> pl.DataFrame:
    """Return turn_id, user_text and reply_text of a few turns (primary-key lookups)."""
    cursor = connection(snap).cursor()
    try:
        return cursor.sql(
            "SELECT turn_id, user_text, reply_text FROM turns "
            "WHERE turn_id IN (SELECT unnest($ids::VARCHAR[]))",
            params={"ids": list(turn_ids)},
        ).pl()
    finally:
        cursor.close()


@st.cache_data(max_entries=16, show_spinner=False)
def coverage(snap: Snapshot, filters: Filters) -> pl.DataFrame | None:
    """Return ``spec_audit.spec.coverage.coverage`` of the filters' catalog, None if not shipped.

    The counts are summed from clause_metrics, which publish copies with the findings it counts.
    """
    found = catalog(f"{filters.spec_id}@{filters.spec_version}")
    if found is None:
        return None
    cursor = connection(snap).cursor()
    try:
        return catalog_coverage(found, cursor, filters.start, filters.end, from_metrics=True)
    finally:
        cursor.close()


@st.cache_data(max_entries=16, show_spinner=False)
def rejected(snap: Snapshot) -> pl.DataFrame:
    """Return rejected records grouped by reason."""
    return run(snap, "rejected_by_reason")


@st.cache_data(max_entries=16, show_spinner=False)
def ingest_history(snap: Snapshot) -> pl.DataFrame:
    """Return the ingested files, newest first."""
    return run(snap, "ingest_history")


@st.cache_data(max_entries=16, show_spinner=False)
def ingest_totals(snap: Snapshot) -> dict[str, int]:
    """Return files, rows_read, rows_accepted and rows_rejected over every ingested file."""
    return run(snap, "ingest_totals").row(0, named=True)


@st.cache_data(max_entries=16, show_spinner=False)
def validation_results(snap: Snapshot) -> pl.DataFrame | None:
    """Return the newest validation run's checks, failed first; None when the table is absent."""
    if not has_table(snap, "validation_results"):
        return None
    return run(snap, "validation_latest")


def _spec(filters: Filters) -> dict[str, str]:
    return {"spec_id": filters.spec_id, "spec_version": filters.spec_version}


def _days(filters: Filters) -> dict[str, Any]:
    params = filters.params()
    return {k: params[k] for k in ("start", "end", "models", "surfaces")}
