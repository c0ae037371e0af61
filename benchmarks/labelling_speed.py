"""Measure labelling speed: turns per second for every signal and every clause verdict.

Run: .venv/bin/python benchmarks/labelling_speed.py [--conversations 100000] [--runs 3] [--seed 7]
     [--distinct] [--typographic]
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

import polars as pl

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
    distinct: bool = False  # every user, reply and context text made unique before timing
    typographic: bool = False  # curly quotes, dashes and accented words added (make_typographic)
    distinct_user_share: float = 1.0  # distinct user texts / turns in the timed frame

    @property
    def rates(self) -> list[float]:
        """Return turns per second of each run."""
        return [self.turns / s for s in self.seconds]

    @property
    def median(self) -> float:
        """Return the median turns per second."""
        return statistics.median(self.rates)


#: Text columns made unique by ``distinct`` (system prompts repeat in production as well).
DISTINCT_COLUMNS = ("user_text", "reply_text", "context_text")


def make_distinct(turns: pl.DataFrame) -> pl.DataFrame:
    """Return ``turns`` with a numbered sentence appended to each user, reply and context text.

    The generator draws its texts from templates, so many turns repeat a text word for word
    (about one user text in twenty is distinct), and a labeller that reads each distinct text
    once would be timed on far fewer texts than production logs hold. After this every text of
    those columns is distinct; the appended sentence holds no lexicon word, so the cost measured
    is the cost of reading that many different texts.
    """
    suffix = pl.format(" Ref {}.", pl.int_range(pl.len()))
    return turns.with_columns(
        pl.when(pl.col(c).is_not_null()).then(pl.col(c) + suffix) for c in DISTINCT_COLUMNS
    )


def typeset(text: pl.Expr) -> pl.Expr:
    """Return ``text`` with curly apostrophes and quotes and em dashes, as assistants write them.

    >>> pl.select(typeset(pl.lit("It's " + '"fine" - really'))).item()
    'It’s “fine” — really'
    """
    return (
        text.str.replace_all("'", "’", literal=True)
        .str.replace_all(r'"([^"]*)"', "“$1”")
        .str.replace_all(" - ", " — ", literal=True)
    )


def make_typographic(turns: pl.DataFrame) -> pl.DataFrame:
    """Return ``turns`` written as production text often is, outside ASCII: curly apostrophes
    and quotes and em dashes in replies and contexts (as assistants write them), and in one user
    text in ten an accented word.

    The generator writes plain ASCII, and a text with a character outside ASCII can take slower
    regex paths than an ASCII one: this times those paths on every reply.
    """

    accented = pl.int_range(pl.len()) % 10 == 0
    return turns.with_columns(
        typeset(pl.col("reply_text")),
        typeset(pl.col("context_text")),
        pl.when(accented & pl.col("user_text").is_not_null())
        .then(pl.col("user_text") + " Merci, José — à bientôt.")
        .otherwise(pl.col("user_text"))
        .alias("user_text"),
    )


def generated_turns(conversations: int = 100_000, seed: int = 7) -> pl.DataFrame:
    """Return the turns of a seeded generated sample, ingested into a scratch DuckDB file."""
    with tempfile.TemporaryDirectory(prefix="spec-audit-speed-") as work:
        samples = Path(work) / "samples"
        generate_sample(samples, conversations=conversations, seed=seed)
        con = store.connect(Path(work) / "speed.duckdb")
        try:
            ingest_paths(con, [samples])
            return read_turns(con, days_with_turns(con))
        finally:
            con.close()


def time_labelling(
    turns: pl.DataFrame, runs: int = 3, *, distinct: bool = False, typographic: bool = False
) -> Speed:
    """Return the timed runs of labelling and judging ``turns`` under the shipped catalog.

    ``distinct``: time on the turns after ``make_distinct`` (no text repeated);
    ``typographic``: after ``make_typographic`` (characters outside ASCII).
    """
    catalog = load_catalog(config.spec_path())
    if distinct:
        turns = make_distinct(turns)
    if typographic:
        turns = make_typographic(turns)
    distinct_users = turns["user_text"].n_unique() / max(turns.height, 1)
    seconds, cpu_seconds = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        signals = label_frame(turns)
        judge(signals.lazy(), catalog).collect()
        seconds.append(time.perf_counter() - began)
        cpu_seconds.append(time.process_time() - began_cpu)
    reply_bytes = turns["reply_text"].str.len_bytes().mean() or 0.0
    return Speed(
        turns.height,
        float(reply_bytes),
        seconds,
        cpu_seconds,
        distinct,
        typographic,
        distinct_users,
    )


def measure(
    conversations: int = 100_000,
    runs: int = 3,
    seed: int = 7,
    *,
    distinct: bool = False,
    typographic: bool = False,
) -> Speed:
    """Return the timed runs of labelling and judging the turns of a generated sample."""
    turns = generated_turns(conversations, seed)
    return time_labelling(turns, runs, distinct=distinct, typographic=typographic)


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
        + ("with every text made distinct " if speed.distinct else "")
        + ("and typographic (curly quotes, dashes, accents) " if speed.typographic else "")
        + f"({speed.distinct_user_share:.1%} of user texts distinct; "
        f"replies {speed.reply_bytes_mean:,.0f} bytes on average); target "
        f"{TARGET_TURNS_PER_SECOND:,} turns/s: {speed.median / TARGET_TURNS_PER_SECOND:.1%} of it"
        f" (x{TARGET_TURNS_PER_SECOND / speed.median:,.1f} to go){cpu}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--distinct",
        action="store_true",
        help="make every user, reply and context text distinct before timing (see make_distinct)",
    )
    parser.add_argument(
        "--typographic",
        action="store_true",
        help="add curly quotes, dashes and accented words before timing (see make_typographic)",
    )
    args = parser.parse_args()
    speed = measure(
        args.conversations,
        args.runs,
        args.seed,
        distinct=args.distinct,
        typographic=args.typographic,
    )
    print(describe(speed))


if __name__ == "__main__":
    main()
