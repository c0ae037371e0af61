"""Measure labelling speed: turns per second for every signal and every clause verdict.

Run: .venv/bin/python benchmarks/labelling_speed.py [--conversations 100000] [--runs 3] [--seed 7]
Generates a seeded sample (``spec_audit.sample``) into a temporary folder, ingests it into a
temporary DuckDB, reads its turns into memory once, then times ``transforms.label_frame`` followed
by ``spec_audit.findings.judge`` under the shipped catalog (all signals and verdicts, the work of
``spec-audit run`` between reading turns and writing tables) several times. Prints the median, min
and max in turns/s against the issue's target, and the process CPU seconds per run (the steadier
number on a machine shared with other jobs: wall time there also counts the waits for a core);
``benchmarks/eval.py`` calls ``measure`` and puts the result in ACCURACY.md.
Where the time goes, per signal family: ``benchmarks/labeller_profile.py``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from spec_audit import config, store
from spec_audit.audit import days_with_turns
from spec_audit.findings import judge
from spec_audit.ingest import ingest_paths
from spec_audit.sample import generate_sample
from spec_audit.signals import read_turns
from spec_audit.spec.catalog import load_catalog
from transforms import label_frame

#: Issue 11: labelling (all signals and verdicts) on this 2-core machine.
TARGET_TURNS_PER_SECOND = 200_000


@dataclass(frozen=True)
class Speed:
    """Timed runs of labelling and judging one frame of generated turns."""

    turns: int
    reply_bytes_mean: float
    seconds: list[float]
    cpu_seconds: list[float] = field(default_factory=list)

    @property
    def rates(self) -> list[float]:
        """Return turns per second of each run."""
        return [self.turns / s for s in self.seconds]

    @property
    def median(self) -> float:
        """Return the median turns per second."""
        return statistics.median(self.rates)


def measure(conversations: int = 100_000, runs: int = 3, seed: int = 7) -> Speed:
    """Return the timed runs of labelling and judging the turns of a generated sample."""
    catalog = load_catalog(config.spec_path())
    with tempfile.TemporaryDirectory(prefix="spec-audit-speed-") as work:
        samples = Path(work) / "samples"
        generate_sample(samples, conversations=conversations, seed=seed)
        con = store.connect(Path(work) / "speed.duckdb")
        try:
            ingest_paths(con, [samples])
            turns = read_turns(con, days_with_turns(con))
        finally:
            con.close()
    seconds, cpu_seconds = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        signals = label_frame(turns)
        judge(signals.lazy(), catalog).collect()
        seconds.append(time.perf_counter() - began)
        cpu_seconds.append(time.process_time() - began_cpu)
    reply_bytes = turns["reply_text"].str.len_bytes().mean() or 0.0
    return Speed(turns.height, float(reply_bytes), seconds, cpu_seconds)


def describe(speed: Speed) -> str:
    """Return one line: median (min–max) turns/s of the runs and the ratio to the target."""
    rates = speed.rates
    cpu = (
        f"; CPU {statistics.median(speed.cpu_seconds):.2f} s median per run"
        if speed.cpu_seconds
        else ""
    )
    return (
        f"{speed.median:,.0f} turns/s median of {len(rates)} runs (min {min(rates):,.0f}, "
        f"max {max(rates):,.0f}) on {speed.turns:,} generated turns "
        f"(replies {speed.reply_bytes_mean:,.0f} bytes on average); target "
        f"{TARGET_TURNS_PER_SECOND:,} turns/s: {speed.median / TARGET_TURNS_PER_SECOND:.1%} of it"
        f" (x{TARGET_TURNS_PER_SECOND / speed.median:,.1f} to go){cpu}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(describe(measure(args.conversations, args.runs, args.seed)))


if __name__ == "__main__":
    main()
