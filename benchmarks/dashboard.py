"""Benchmark: the time of each dashboard page's queries on a large generated audit.

Generates ``--conversations`` sample conversations (default 1,000,000) with the project's own
generator, audits them with ``spec-audit run`` (skipped when the database already exists), then
runs every query each page issues, uncached (the result cache is cleared before each run; the
connection stays open as in a running dashboard), ``--runs`` times per page, over the whole
audited range (the widest, slowest filter). Prints a Markdown table (median, min and max per
page against the budget: median under 300 ms, worst under 1 s) and writes it into ``--out``
between the markers ``<!-- dashboard:begin -->`` and ``<!-- dashboard:end -->`` (the rest of the
file is left as it is; the file is created if missing).

The snapshot's read models (text-search index, refusal quadrant) are built when a snapshot is
published; ``--republish`` publishes the existing database again (and times it), which a snapshot
published by an older spec-audit needs. Rerunning only the timing on an existing database takes a
minute or two; ``--only WORDS`` times just the pages whose name contains WORDS (printed, not written).

    .venv/bin/python benchmarks/dashboard.py                      # 1,000,000 conversations
    .venv/bin/python benchmarks/dashboard.py --work data/bench-dashboard --republish
    .venv/bin/python benchmarks/dashboard.py --only "text search" --runs 9
    .venv/bin/python benchmarks/dashboard.py --conversations 20000 --work /tmp/d --out /tmp/d.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC_AUDIT = str(Path(sys.executable).parent / "spec-audit")
MEDIAN_BUDGET, WORST_BUDGET = 0.300, 1.0
BEGIN, END = "<!-- dashboard:begin -->", "<!-- dashboard:end -->"


def prepare(work: Path, conversations: int) -> Path:
    """Return the audit database under ``work``, generating and auditing the sample if missing."""
    db = work / "audit.duckdb"
    if (work / "audit.snapshot.duckdb").exists():
        return db
    samples = work / "samples"
    for argv in (
        ["generate-sample", "--conversations", str(conversations), "--days", "30",
         "--seed", "7", "--out", str(samples)],
        ["run", "--landing", str(samples), "--db", str(db)],
    ):  # fmt: skip
        started = time.perf_counter()
        subprocess.run([SPEC_AUDIT, *argv], check=True, stdout=subprocess.DEVNULL)
        print(f"spec-audit {argv[0]}: {time.perf_counter() - started:.0f} s", flush=True)
    return db


def page_queries(snap, filters, queries) -> dict[str, list[Callable[[], object]]]:
    """Return, per page, the query calls it makes on first load (with a typical selection)."""
    card = queries.scorecard(snap, filters)
    clause = card.filter(card["applicable"] > 0)["clause_id"][0]
    sample = queries.explorer(snap, filters, clause, "violation")
    conversation = sample["conversation_id"][0]
    turn_ids = tuple(queries.review_sample(snap, filters, clause, 3, 0)["turn_id"].to_list())
    return {
        "overview": [
            lambda: queries.headline(snap, filters),
            lambda: queries.scorecard(snap, filters),
            lambda: queries.quadrant_by_harm(snap, filters),
        ],
        "clause detail": [
            lambda: queries.scorecard(snap, filters),
            lambda: queries.clause_series(snap, filters, clause),
            lambda: queries.change_points(snap, filters, clause),
            lambda: queries.drift(snap, filters, "window", clause),
            lambda: queries.drift(snap, filters, "model", clause),
            lambda: queries.disparity(snap),
        ],
        "refusals": [
            lambda: queries.quadrant_by_harm(snap, filters),
            lambda: queries.quadrant_by_clause(snap, filters),
        ],
        "model comparison": [lambda: queries.drift(snap, filters, "model")],
        "explorer: list": [lambda: queries.explorer(snap, filters)],
        "explorer: clause + verdict": [
            lambda: queries.explorer(snap, filters, clause, "violation")
        ],
        "explorer: text search, common word": [
            lambda: queries.explorer(snap, filters, search="doctor")
        ],
        "explorer: text search, phrase": [
            lambda: queries.explorer(snap, filters, search="a doctor")
        ],
        "explorer: text search, rare word + clause": [
            lambda: queries.explorer(snap, filters, clause, search="watercolour")
        ],
        "explorer: text search, no match": [lambda: queries.explorer(snap, filters, search="zzqx")],
        "explorer: conversation": [lambda: queries.conversation(snap, filters, conversation)],
        "review: sample": [
            lambda: queries.review_sample(snap, filters, clause, 3, 1),
            lambda: queries.turns_text(snap, turn_ids),
        ],
        "spec browser: coverage": [lambda: queries.coverage(snap, filters)],
        "data quality": [
            lambda: queries.validation_results(snap),
            lambda: queries.rejected(snap),
            lambda: queries.ingest_totals(snap),
            lambda: queries.ingest_history(snap),
        ],
    }


#: The search the index replaced, timed in the same run for the ratio: an ILIKE scan of every
#: turn's text over the whole range (what a search with few matches used to cost).
SCAN = (
    "SELECT count(DISTINCT conversation_id) FROM turns WHERE day BETWEEN $start AND $end "
    "AND (user_text ILIKE $pattern OR reply_text ILIKE $pattern)"
)


def baselines(snap, filters, queries) -> dict[str, list[Callable[[], object]]]:
    """Return what the read models replaced: the quadrant join and the ILIKE scan of all text."""

    def scan(word: str) -> Callable[[], object]:
        params = {"start": filters.start, "end": filters.end, "pattern": f"%{word}%"}
        return lambda: queries.connection(snap).execute(SCAN, params).fetchall()

    # The per-clause quadrant as it was computed before publish pre-aggregated it: every finding
    # joined to its turn's signals (the SELECT of the table publish builds).
    build = (ROOT / "spec_audit" / "sql" / "snapshot_refusal_quadrant.sql").read_text()
    join = build[build.index("WITH s AS") :].rstrip().rstrip(";")

    def quadrant() -> object:
        return queries.connection(snap).execute(f"SELECT count(*) FROM ({join})").fetchall()

    return {
        "baseline, not a page: per-clause quadrant joined at query time": [quadrant],
        "baseline, not a page: ILIKE scan of every turn, common word": [scan("doctor")],
        "baseline, not a page: ILIKE scan of every turn, no match": [scan("zzqx")],
    }


def measure(calls: list[Callable[[], object]], runs: int, clear: Callable[[], None]) -> list[float]:
    """Return the wall time of ``runs`` uncached runs of all ``calls``."""
    times = []
    for _ in range(runs):
        clear()
        started = time.perf_counter()
        for call in calls:
            call()
        times.append(time.perf_counter() - started)
    return times


def write_section(path: Path, body: str) -> None:
    """Write ``body`` between the dashboard markers of ``path``, keeping everything else."""
    section = f"{BEGIN}\n{body.rstrip()}\n{END}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in text and END in text:
        head, _, rest = text.partition(BEGIN)
        text = head + section + rest.partition(END)[2].removeprefix("\n")
    else:
        text = f"{text.rstrip()}\n\n{section}" if text.strip() else section
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=ROOT / "data" / "bench-dashboard")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    parser.add_argument("--republish", action="store_true", help="publish the snapshot again")
    parser.add_argument("--only", help="time only pages whose name contains this (not written)")
    args = parser.parse_args()
    db = prepare(args.work, args.conversations)
    published = ""
    if args.republish:
        from spec_audit.snapshot import publish

        started = time.perf_counter()
        publish(db)
        took = time.perf_counter() - started
        published = f" · snapshot published (with its read models) in {took:.0f} s"
        print(f"published {db} in {took:.0f} s", flush=True)
    os.environ["SPEC_AUDIT_DB"] = str(db)
    os.environ.pop("SPEC_AUDIT_SNAPSHOT", None)
    import logging

    import streamlit as st

    # Outside `streamlit run` every cached call warns that there is no runtime; nothing is wrong.
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)
    from dashboards import queries

    snap = queries.current_snapshot()
    queries.check_read_models(snap)  # an older snapshot: rerun with --republish
    choices = queries.options(snap)
    spec_id, _, version = choices["specs"][-1].partition("@")
    filters = queries.Filters(spec_id, version, choices["first_day"], choices["last_day"])
    pages = page_queries(snap, filters, queries) | baselines(snap, filters, queries)
    if args.only:
        pages = {name: calls for name, calls in pages.items() if args.only in name}
    con = queries.connection(snap)
    conversations, turns, findings = con.execute(
        "SELECT (SELECT count(*) FROM conversations), (SELECT count(*) FROM turns), "
        "(SELECT count(*) FROM findings)"
    ).fetchall()[0]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    lines = [
        "## Dashboard query timings",
        "",
        f"{dt.date.today()} · commit {commit} · {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start · Python {platform.python_version()} · "
        f"{conversations:,} conversations, {turns:,} turns, {findings:,} findings · "
        f"filters: {filters.start} → {filters.end}, every model and surface · "
        f"{args.runs} uncached runs per page (`benchmarks/dashboard.py`){published}.",
        "",
        "| page | queries | median ms | min ms | max ms | within budget |",
        "|---|---:|---:|---:|---:|---|",
    ]
    all_ok = True
    for name, calls in pages.items():
        times = measure(calls, args.runs, st.cache_data.clear)
        median, low, high = statistics.median(times), min(times), max(times)
        ok = median < MEDIAN_BUDGET and high < WORST_BUDGET
        baseline = name.startswith("baseline")
        all_ok &= ok or baseline
        lines.append(
            f"| {name} | {len(calls)} | {median * 1000:.0f} | {low * 1000:.0f} | "
            f"{high * 1000:.0f} | {'—' if baseline else 'yes' if ok else 'NO'} |"
        )
        print(lines[-1], flush=True)
    lines += [
        "",
        f"Budget: median under {MEDIAN_BUDGET * 1000:.0f} ms and worst under "
        f"{WORST_BUDGET * 1000:.0f} ms per page: {'met' if all_ok else 'NOT met'}.",
    ]
    print("\n".join(lines))
    if not args.only:
        write_section(args.out, "\n".join(lines))
        print(f"written to {args.out}")


if __name__ == "__main__":
    main()
