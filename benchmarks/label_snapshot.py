"""Save every label of a fixed set of turns, or compare two such snapshots column by column.

Run: .venv/bin/python benchmarks/label_snapshot.py save OUT.parquet [--conversations 20000] [--seed 11]
     .venv/bin/python benchmarks/label_snapshot.py compare BEFORE.parquet AFTER.parquet
``save`` labels (``transforms.label_frame``) the turns of a seeded generated sample plus every turn
of the labelled evaluation files (``../shared/eval`` by default) and writes all output columns,
signals and evidence structs. ``compare`` prints, per column, how many rows differ (nulls equal), so
a change meant to keep every label (a faster matcher) can show it changed none.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from spec_audit import store
from spec_audit.audit import days_with_turns
from spec_audit.evaluate.labelled import split_labelled
from spec_audit.ingest import ingest_paths
from spec_audit.sample import generate_sample
from spec_audit.signals import read_turns
from transforms import label_frame

EVAL_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"


def snapshot_turns(conversations: int, seed: int, eval_dir: Path) -> pl.DataFrame:
    """Return the turns of a generated sample followed by those of the evaluation files."""
    frames = []
    with tempfile.TemporaryDirectory(prefix="spec-audit-snapshot-") as work:
        samples = Path(work) / "samples"
        generate_sample(samples, conversations=conversations, seed=seed)
        for name, paths in (("sample", [samples]), ("eval", sorted(eval_dir.glob("*.jsonl")))):
            con = store.connect(Path(work) / f"{name}.duckdb")
            try:
                if name == "eval":
                    paths = split_labelled(con, paths, Path(work)).stripped
                ingest_paths(con, paths)
                frames.append(read_turns(con, days_with_turns(con)))
            finally:
                con.close()
    return pl.concat(frames)


def compare(before: pl.DataFrame, after: pl.DataFrame) -> int:
    """Print the rows that differ per column; return the number of differing cells."""
    if before.columns != after.columns or before.height != after.height:
        print(f"shape differs: {before.shape} vs {after.shape}")
        print(f"columns only before: {sorted(set(before.columns) - set(after.columns))}")
        print(f"columns only after: {sorted(set(after.columns) - set(before.columns))}")
    total = 0
    for column in before.columns:
        if column not in after.columns:
            continue
        differs = before.select(pl.col(column).ne_missing(after[column]).sum()).item()
        if differs:
            print(f"{column}: {differs} rows differ")
            total += differs
    print(f"{total} differing cells over {before.height:,} rows x {before.width} columns")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    save = sub.add_parser("save")
    save.add_argument("out", type=Path)
    save.add_argument("--conversations", type=int, default=20_000)
    save.add_argument("--seed", type=int, default=11)
    save.add_argument("--eval", type=Path, default=EVAL_DIR)
    check = sub.add_parser("compare")
    check.add_argument("before", type=Path)
    check.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "save":
        turns = snapshot_turns(args.conversations, args.seed, args.eval)
        label_frame(turns).write_parquet(args.out)
        print(f"{turns.height:,} turns labelled into {args.out}")
    else:
        sys.exit(1 if compare(pl.read_parquet(args.before), pl.read_parquet(args.after)) else 0)


if __name__ == "__main__":
    main()
