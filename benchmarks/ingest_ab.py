"""Ingest before and after a change: pipeline.py's ingest stage run alternately from two trees.

    git archive OLD_COMMIT spec_audit | tar -x -C /tmp/before
    python benchmarks/ingest_ab.py LANDING --before /tmp/before --runs 3

Each run is a fresh child process running ``pipeline._STAGES["ingest"]`` (``store.connect`` and
``ingest_paths``) into a fresh database, with ``PYTHONPATH`` at the ``--before`` tree or at this
one; the two alternate, so both see the same load. Prints the median (min-max) of the child's
wall seconds, CPU seconds (user + system) and peak resident memory, and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.pipeline import _STAGES, PYTHON, ROOT, fresh

CODE = f"import sys\nfrom pathlib import Path\ndb, landing = sys.argv[1:3]\n{_STAGES['ingest']}"


def run(tree: Path, landing: Path, db: Path) -> dict[str, float]:
    """Return wall and CPU seconds and peak GB of one ingest child importing from ``tree``."""
    load = os.getloadavg()[0]
    start = time.perf_counter()
    # cwd outside both trees, so neither is imported by accident.
    child = subprocess.Popen(
        [PYTHON, "-c", CODE, str(fresh(db)), str(landing)],
        env={**os.environ, "PYTHONPATH": str(tree)},
        cwd=tempfile.gettempdir(),
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"ingest from {tree} failed")
    return {
        "wall": time.perf_counter() - start,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_gb": usage.ru_maxrss * 1024 / 1e9,
        "load": load,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("landing", type=Path)
    parser.add_argument(
        "--before", type=Path, required=True, help="tree holding the old spec_audit"
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    trees = {"before": args.before.resolve(), "after": ROOT}
    results: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    work = Path(tempfile.mkdtemp(prefix="ingest-ab-"))
    for i in range(args.runs):
        for name, tree in trees.items():
            results[name].append(run(tree, args.landing, work / f"{name}.duckdb"))
            print(
                f"run {i + 1} {name}: "
                + ", ".join(f"{k} {v:.2f}" for k, v in results[name][-1].items())
            )
    for name, runs in results.items():
        parts = []
        for key in ("wall", "cpu", "peak_gb", "load"):
            values = [r[key] for r in runs]
            parts.append(
                f"{key} {statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"
            )
        print(f"{name}: " + ", ".join(parts))


if __name__ == "__main__":
    main()
