"""Time the whole pipeline on generated data: ingest, labelling, metrics, statistics, memory.

Run: .venv/bin/python benchmarks/pipeline.py [--conversations 1000000] [--runs 3] [--write]
     .venv/bin/python benchmarks/pipeline.py --quick          # smoke test: 2,000 conversations, 1 run

The sample (``spec-audit generate-sample``) is cached under ``data/bench/n<N>-d<D>-s<S>`` (data/
is gitignored), so a rerun skips generating it. Every measurement runs in a child process, timed
from the outside, and its peak resident memory is the child's ``ru_maxrss``:

- ``ingest``: a fresh DuckDB file from the landing folder (``spec_audit.ingest.ingest_paths``);
- ``label+judge``: signals, evidence and findings for every day (``spec_audit.audit``);
- ``metrics+stats``: clause_metrics, then drift, disparity and change points (Dagster in-process);
- ``spec-audit run``: the whole command on a fresh file, summary, validation and snapshot included;
- ``rerun 1 day``: ``spec-audit run --no-ingest --from D --to D`` on the full database, after
  which the other days' rows are checked to be unchanged and the published snapshot to hold the
  database's rows; one more rerun under cProfile says where its time goes (``rerun_breakdown``).

Each is the median of ``--runs`` runs with min and max. The physical limit is measured once: the
seconds to read and decompress the files, and to read and parse them with DuckDB ``read_json``.
``--memory-sizes 100000,300000`` adds the peak memory of ``spec-audit run`` at other sizes (one run
each). ``--write`` replaces the pipeline section of ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATA = ROOT / "data" / "bench"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
BEGIN, END = "<!-- pipeline:begin -->", "<!-- pipeline:end -->"
PYTHON = sys.executable
CLI = str(Path(PYTHON).with_name("spec-audit"))
#: Issue 8 targets on a 2-core machine.
TARGET_SECONDS = 60
TARGET_PEAK_GB = 4

# The code each timed child runs (argv: db, landing): plain calls into the library.
_STAGES = {
    "ingest": """
from spec_audit import store
from spec_audit.ingest import ingest_paths
con = store.connect(db)
ingest_paths(con, [landing])
con.close()
""",
    "label+judge": """
from spec_audit import config, store, audit
from spec_audit.spec.catalog import load_catalog
catalog = load_catalog(config.spec_path())
con = store.connect(db)
days = audit.days_with_turns(con)
audit.label(con, days)
audit.judge(con, days, catalog)
con.close()
""",
    "metrics+stats": """
from spec_audit import config, store, audit
from spec_audit.spec.catalog import load_catalog
from spec_audit.stats import audit_window
from dagster_project.inprocess import materialize_statistics
catalog = load_catalog(config.spec_path())
con = store.connect(db)
days = audit.days_with_turns(con)
audit.measure(con, days, catalog)
con.close()
window = audit_window(days[0], days[-1])
materialize_statistics(Path(db), catalog.path, window.start, window.end)
""",
}


@dataclass(frozen=True)
class Timed:
    """One child process: wall seconds and peak resident memory in bytes."""

    seconds: float
    peak_bytes: int


def run_child(argv: list[str]) -> Timed:
    """Return the wall time and peak memory of running ``argv`` to completion (it must succeed)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:3])}... failed ({child.returncode}):\n{stderr[-2000:]}")
    return Timed(seconds, usage.ru_maxrss * 1024)  # ru_maxrss is in KiB on Linux


def run_stage(name: str, db: Path, landing: Path) -> Timed:
    """Return the timing of one library stage run in a child process."""
    code = f"import sys\nfrom pathlib import Path\ndb, landing = sys.argv[1:3]\n{_STAGES[name]}"
    return run_child([PYTHON, "-c", code, str(db), str(landing)])


def spec_audit_run(db: Path, *args: str) -> Timed:
    """Return the timing of one ``spec-audit run`` on ``db``."""
    return run_child([CLI, "run", "--db", str(db), *args])


def sample(conversations: int, days: int, seed: int) -> Path:
    """Return the cached landing folder for the size and seed, generating it on first use."""
    folder = BENCH_DATA / f"n{conversations}-d{days}-s{seed}"
    if folder.is_dir():
        return folder
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    print(f"generating {conversations:,} conversations into {folder} (cached for reruns)")
    subprocess.run(
        [
            *(CLI, "generate-sample", "--conversations", str(conversations)),
            *("--days", str(days), "--seed", str(seed), "--out", str(partial)),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    partial.rename(folder)
    return folder


def fresh(db: Path) -> Path:
    """Return ``db`` after removing it, its WAL and its snapshot."""
    for path in db.parent.glob(db.name.replace(".duckdb", "") + "*"):
        path.unlink()
    return db


def physical_limit(landing: Path) -> dict[str, float]:
    """Return seconds to read + decompress the logs, and to read + parse them with DuckDB."""
    import duckdb

    files = sorted(p for p in landing.iterdir() if p.name.endswith((".jsonl.gz", ".jsonl")))
    start = time.perf_counter()
    size = 0
    for path in files:
        data = path.read_bytes()
        size += len(zlib.decompress(data, wbits=31) if path.name.endswith(".gz") else data)
    read = time.perf_counter() - start
    con = duckdb.connect()
    start = time.perf_counter()
    rows = con.execute(
        # The samples hold deliberately broken lines: skipped here, rejected by ingest.
        "CREATE TABLE parsed AS SELECT * FROM read_json(?, format = 'newline_delimited', "
        "union_by_name = true, ignore_errors = true)",
        [[str(p) for p in files]],
    ).fetchall()[0][0]
    parse = time.perf_counter() - start
    con.close()
    return {"read_s": read, "parse_s": parse, "bytes": size, "rows": rows}


def db_counts(db: Path) -> dict[str, int]:
    """Return the row counts of the main tables (read-only)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = ("conversations", "turns", "signals", "evidence", "findings", "clause_metrics")
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables}
    finally:
        con.close()


def other_days_digest(db: Path, day: dt.date) -> list[tuple]:
    """Return a digest of every table's rows on days other than ``day`` (to show they are untouched)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return [
            con.execute(
                f"SELECT count(*), sum(hash(t)) FROM {table} t WHERE day <> ?", [day]
            ).fetchall()[0]
            for table in ("turns", "signals", "evidence", "findings", "clause_metrics")
        ]
    finally:
        con.close()


def snapshot_matches(db: Path) -> bool:
    """Return whether the snapshot of ``db`` holds the same rows as ``db`` in every daily table."""
    import duckdb

    from spec_audit.snapshot import snapshot_path

    con = duckdb.connect(str(snapshot_path(db)), read_only=True)
    try:
        con.execute(f"ATTACH '{db}' AS audit_db (READ_ONLY)")
        tables = ("conversations", "turns", "signals", "evidence", "findings", "clause_metrics")
        digest = "SELECT count(*), sum(hash(t)) FROM {} t"
        return all(
            con.execute(digest.format(table)).fetchall()
            == con.execute(digest.format(f"audit_db.{table}")).fetchall()
            for table in tables
        )
    finally:
        con.close()


#: Parts of a rerun's profile: (label, file the function is in, function name).
RERUN_PARTS = (
    ("imports of the CLI (before the command runs)", "spec_audit/cli/main.py", "<module>"),
    ("label, judge and measure the day (Dagster in-process)", "inprocess.py", "materialize_audit"),
    ("statistics of the stored window holding the day", "inprocess.py", "materialize_statistics"),
    ("data-quality validation (Great Expectations)", "spec_audit/validation.py", "validate"),
    ("— of which importing Great Expectations", "great_expectations/__init__.py", "<module>"),
    ("summary printed", "spec_audit/summary.py", "summarize"),
    ("snapshot published (refreshing the changed day)", "spec_audit/snapshot.py", "publish"),
)


def rerun_breakdown(db: Path, day: dt.date, work: Path) -> dict[str, float]:
    """Return seconds per part of one more rerun of ``day``, profiled with cProfile (which slows
    Python-heavy parts more than SQL, so the shares are indicative)."""
    import pstats

    profile = work / "rerun.prof"
    argv = [PYTHON, "-m", "cProfile", "-o", str(profile), CLI, "run", "--db", str(db)]
    run_child([*argv, "--no-ingest", "--from", str(day), "--to", str(day)])
    stats = pstats.Stats(str(profile)).stats  # type: ignore[attr-defined]
    parts = {"whole rerun under cProfile": max(entry[3] for entry in stats.values())}
    for label, filename, function in RERUN_PARTS:
        parts[label] = sum(
            entry[3]
            for (path, _, name), entry in stats.items()
            if path.endswith(filename) and name == function
        )
    return parts


def summary(values: list[float]) -> dict[str, float]:
    """Return median, min and max."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def measure(
    conversations: int,
    days: int,
    seed: int,
    runs: int,
    work: Path,
    rerun_runs: int | None = None,
    library_stages: bool = True,
) -> dict:
    """Return every timing of the pipeline on the cached sample of that size (the one-day rerun
    ``rerun_runs`` times, by default ``runs``; without ``library_stages``, only the command's)."""
    landing = sample(conversations, days, seed)
    work.mkdir(parents=True, exist_ok=True)
    names = [*(_STAGES if library_stages else ()), "spec-audit run"]
    stages: dict[str, list[Timed]] = {name: [] for name in names}
    loads = [os.getloadavg()[0]]  # other work on the machine shows in every timing: record it
    for i in range(runs):
        db = fresh(work / "stages.duckdb")
        for name in names[:-1]:
            stages[name].append(run_stage(name, db, landing))
            print(f"  run {i + 1}/{runs} {name}: {stages[name][-1].seconds:.1f} s", flush=True)
            loads.append(os.getloadavg()[0])
        db = fresh(work / "full.duckdb")
        stages["spec-audit run"].append(spec_audit_run(db, "--landing", str(landing)))
        print(f"  run {i + 1}/{runs} spec-audit run: {stages['spec-audit run'][-1].seconds:.1f} s")
    counts = db_counts(db)
    day, rerun, unchanged = rerun_one_day(db, rerun_runs or runs)
    loads.append(os.getloadavg()[0])
    breakdown = rerun_breakdown(db, day, work)
    return {
        "conversations": conversations,
        "days": days,
        "seed": seed,
        "runs": runs,
        "rerun_runs": rerun_runs or runs,
        "counts": counts,
        "stages": {
            name: {
                "seconds": summary([t.seconds for t in timed]),
                "peak_gb": max(t.peak_bytes for t in timed) / 1e9,
            }
            for name, timed in stages.items()
        },
        "rerun_day": {
            "day": day,
            "seconds": summary(rerun),
            "other_days_unchanged": unchanged,
            "snapshot_matches": snapshot_matches(db),
            "breakdown": breakdown,
        },
        "load": [min(loads), max(loads)],
        "limit": physical_limit(landing),
    }


def rerun_one_day(db: Path, runs: int) -> tuple[dt.date, list[float], bool]:
    """Return the middle day of ``db``, the seconds of rerunning it and whether other days stayed."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    days = [row[0] for row in con.execute("SELECT DISTINCT day FROM turns ORDER BY day").fetchall()]
    con.close()
    day = days[len(days) // 2]
    before = other_days_digest(db, day)
    seconds = []
    for _ in range(runs):
        timed = spec_audit_run(db, "--no-ingest", "--from", str(day), "--to", str(day))
        seconds.append(timed.seconds)
    return day, seconds, other_days_digest(db, day) == before


def memory_curve(sizes: list[int], days: int, seed: int, work: Path) -> dict[int, float]:
    """Return the peak memory (GB) of one ``spec-audit run`` at each size."""
    peaks = {}
    for size in sizes:
        landing = sample(size, days, seed)
        db = fresh(work / f"memory-{size}.duckdb")
        peaks[size] = spec_audit_run(db, "--landing", str(landing)).peak_bytes / 1e9
        print(f"  peak memory at {size:,} conversations: {peaks[size]:.2f} GB", flush=True)
        fresh(db)
    return peaks


def _fmt(s: dict[str, float]) -> str:
    return f"{s['median']:.1f} s ({s['min']:.1f}–{s['max']:.1f})"


def report(result: dict, peaks: dict[int, float]) -> str:
    """Return the Markdown section for RESULTS.md."""
    n, counts = result["conversations"], result["counts"]
    turns = counts["turns"]
    stages = result["stages"]
    whole = stages["spec-audit run"]["seconds"]["median"]
    limit = result["limit"]
    rerun = result["rerun_day"]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    lines = [
        "## Pipeline (`benchmarks/pipeline.py`, issue #8)",
        "",
        f"Machine: {os.cpu_count()} cores ({cpu}), {_mem_gb():.0f} GB RAM, Python "
        f"{platform.python_version()}; commit {commit}; {dt.date.today().isoformat()}.",
        f"Data: `spec-audit generate-sample --conversations {n} --days {result['days']} "
        f"--seed {result['seed']}`: {limit['bytes'] / 1e9:.2f} GB of JSON "
        f"({limit['bytes'] / max(limit['rows'], 1):,.0f} bytes a record), {counts['conversations']:,} "
        f"conversations accepted, {turns:,} turns, {counts['findings']:,} findings.",
        f"Each time is the median of {result['runs']} run(s) (min–max; the rerun: "
        f"{result['rerun_runs']}), each in a fresh process; "
        "memory is the child's peak resident set. Load average (1 min) while timing: "
        f"{result['load'][0]:.1f}–{result['load'][1]:.1f} on {os.cpu_count()} cores.",
        "",
        "| stage | time | throughput | peak memory |",
        "|---|---:|---:|---:|",
    ]
    per_second = {"ingest": n, "label+judge": turns, "spec-audit run": n}
    units = {
        "ingest": "conversations/s",
        "label+judge": "turns/s",
        "spec-audit run": "conversations/s",
    }
    for name, stage in stages.items():
        median = stage["seconds"]["median"]
        rate = f"{per_second[name] / median:,.0f} {units[name]}" if name in units else ""
        lines.append(f"| {name} | {_fmt(stage['seconds'])} | {rate} | {stage['peak_gb']:.2f} GB |")
    share = rerun["seconds"]["median"] / whole
    lines += [
        f"| rerun 1 day of {result['days']} | {_fmt(rerun['seconds'])} | {share:.1%} of the full "
        f"run (1/{whole / rerun['seconds']['median']:.0f}) | other days unchanged: "
        f"{'yes' if rerun['other_days_unchanged'] else 'NO'}; snapshot holds the database's rows: "
        f"{'yes' if rerun['snapshot_matches'] else 'NO'} |",
        "",
        f"Where a rerun of {rerun['day']} goes (one more rerun under cProfile, which slows "
        "Python-heavy parts more than SQL):",
        "",
        "| part | seconds |",
        "|---|---:|",
        *(f"| {part} | {seconds:.1f} |" for part, seconds in rerun["breakdown"].items()),
        "",
        f"Physical limit on the same files: reading and gunzipping them takes {limit['read_s']:.1f} s; "
        f"DuckDB `read_json` reading and parsing them into an in-memory table takes "
        f"{limit['parse_s']:.1f} s ({limit['rows'] / limit['parse_s']:,.0f} records/s). "
        f"The whole run is {whole / limit['parse_s']:.1f}x that parse time "
        f"(target: {TARGET_SECONDS} s for 1,000,000 conversations).",
    ]
    if peaks:
        lines += ["", "Peak memory of `spec-audit run` by size (one run each):", ""]
        lines += ["| conversations | peak memory |", "|---:|---:|"]
        lines += [f"| {size:,} | {gb:.2f} GB |" for size, gb in sorted(peaks.items())]
    return "\n".join(lines)


def _mem_gb() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9


def write_section(text: str, path: Path = RESULTS, *, begin: str = BEGIN, end: str = END) -> None:
    """Replace the text between ``begin`` and ``end`` in ``path`` (appending them if absent)."""
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    block = f"{begin}\n{text}\n{end}"
    if begin in current and end in current:
        head, rest = current.split(begin, 1)
        current = head + block + rest.split(end, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(current, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--rerun-runs", type=int, help="runs of the one-day rerun (default: --runs)"
    )
    parser.add_argument("--memory-sizes", default="", help="comma-separated extra sizes")
    parser.add_argument("--quick", action="store_true", help="2,000 conversations, 1 run")
    parser.add_argument(
        "--only-run", action="store_true", help="time only `spec-audit run` and the rerun"
    )
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--json", type=Path, help="also save the raw result here")
    args = parser.parse_args(argv)
    if args.quick:
        args.conversations, args.runs = 2_000, 1
    work = BENCH_DATA / "work"
    result = measure(
        *(args.conversations, args.days, args.seed, args.runs, work),
        rerun_runs=args.rerun_runs,
        library_stages=not args.only_run,
    )
    sizes = [int(s) for s in args.memory_sizes.split(",") if s.strip()]
    peaks = memory_curve(sizes, args.days, args.seed, work)
    peaks[args.conversations] = result["stages"]["spec-audit run"]["peak_gb"]
    text = report(result, peaks if sizes else {})
    print(text)
    if args.json:
        args.json.write_text(json.dumps({**result, "memory": peaks}, indent=2, default=str))
    if args.write:
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
