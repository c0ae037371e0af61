"""Print the labellers' throughput per signal family and all together, as a Markdown table.

Run: .venv/bin/python benchmarks/labeller_profile.py [--conversations 101000] [--runs 3] [--rows N]
     [--families refusal,domain] [--save-turns T.parquet | --turns T.parquet]

Generates seeded sample logs with the project's generator (about two turns per conversation),
ingests them into a temporary DuckDB, reads the turns once, then times each family's ``label`` and
``transforms.label_frame`` on the same frame: median, min and max of ``--runs`` runs, wall-clock
rows/s and the process CPU seconds (the fairer number on a machine shared with other jobs).
``--families`` times only the named families (``all`` for ``label_frame``); ``--save-turns`` keeps
the generated turns in a Parquet file and ``--turns`` reads them back, so a before/after comparison
times the same frame without generating it again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from spec_audit.store import query  # noqa: E402
from transforms import ENGINE, FAMILIES, label_frame  # noqa: E402
from transforms.registry import TURN_COLUMNS  # noqa: E402

SPEC_AUDIT = str(Path(sys.executable).parent / "spec-audit")


def generated_turns(conversations: int, seed: int) -> pl.DataFrame:
    """Return the turns of a freshly generated and ingested sample, ordered by turn id."""
    with tempfile.TemporaryDirectory() as tmp:
        samples, db = Path(tmp) / "samples", Path(tmp) / "audit.duckdb"
        for args in (
            ["generate-sample", "--conversations", str(conversations), "--seed", str(seed),
             "--out", str(samples)],
            ["ingest", str(samples), "--db", str(db)],
        ):  # fmt: skip
            subprocess.run([SPEC_AUDIT, *args], check=True, capture_output=True)
        with duckdb.connect(str(db), read_only=True) as con:
            sql = f"SELECT {', '.join(TURN_COLUMNS)} FROM turns ORDER BY turn_id"
            return query(con, sql)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(run: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Return (wall seconds, CPU seconds) of each of ``runs`` calls of ``run``."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), _cpu_seconds()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(_cpu_seconds() - cpu)
    return walls, cpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=101_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=None, help="time only the first N turns")
    parser.add_argument("--families", default=None, help="comma-separated names; all: label_frame")
    parser.add_argument("--save-turns", type=Path, default=None)
    parser.add_argument("--turns", type=Path, default=None, help="turns saved by --save-turns")
    args = parser.parse_args()
    if args.turns:
        turns = pl.read_parquet(args.turns)
    else:
        turns = generated_turns(args.conversations, args.seed)
    if args.save_turns:
        turns.write_parquet(args.save_turns)
    if args.rows:
        turns = turns.head(args.rows)
    rows = turns.height
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    source = f"from {args.turns}" if args.turns else f"(seed {args.seed})"
    print(f"# Labeller throughput, {rows:,} turns {source}\n")
    print(f"{platform.node()} · {platform.processor() or platform.machine()} · commit {commit} ·")
    print(f"{dt.date.today()} · polars {pl.__version__} · median (min–max) of {args.runs} runs\n")
    print("| family | rows/s median | rows/s min–max | CPU s median |")
    print("|---|---:|---:|---:|")
    cases: list[tuple[str, Callable[[], object]]] = [
        (m.__name__.rsplit(".", 1)[-1], lambda m=m: m.label(turns.lazy()).collect(engine=ENGINE))
        for m in FAMILIES
    ]
    cases.append(("all (label_frame)", lambda: label_frame(turns)))
    if args.families:
        wanted = set(args.families.split(","))
        cases = [(name, run) for name, run in cases if name.split(" ")[0] in wanted]
    for name, run in cases:
        walls, cpus = timed(run, args.runs)
        speeds = sorted(rows / w for w in walls)
        print(
            f"| {name} | {statistics.median(speeds):,.0f} | {speeds[0]:,.0f}–{speeds[-1]:,.0f} "
            f"| {statistics.median(cpus):.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
