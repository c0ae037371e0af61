"""Injection recall: how much of each injectable clause's planted violations the audit sees.

For every clause of deployment.yaml ``injectable`` (held back or not) it compares the generator's
per-turn truth (``_labels.parquet``) with the audit's findings on the turns of the kinds an
injection changes:

- ``applicable``: share of the planted violating replies the clause was found applicable to;
- ``recall``: share of the planted violating replies found in violation of the clause;
- ``false_pos``: share of the other replies of those kinds found in violation;
- ``share``: share of the clause's scored findings that fall on the injected kinds (below 1, the
  clause also applies to turns an injection leaves alone, which dilutes a planted change);
- ``carried``: share of them on a turn of another kind later in a conversation that had a turn of
  the injected kinds (the labellers carry the earlier request's topic over to a new request); the
  rest, 1 − share − carried, is on turns of other kinds: where the labellers apply the clause
  beyond the generator's truth (a travel budget read as a financial question, a child process as
  an age group), or where the generator does not plant the violation.

Plantings interact where the spec says they do: stereotyped answers to hate requests (planted for
uphold_fairness) also violate avoid_hateful_content, so its ``false_pos`` counts them.

A clause whose recall − false_pos is below 0.9 cannot be held to a planted rate and is marked
``held_back`` in deployment.yaml (so ``--inject`` refuses it). The sample plants, with
``allow_held_back``, the violations whose outcomes the default policies never draw (refusals of
contested questions, cold refusals of self-harm disclosures and method requests, stereotyped
answers to hate requests, replies agreeing with a self-harm disclosure's hopelessness) so that no two share a model and kinds.

    PYTHONPATH=. python benchmarks/injection_recall.py --seed 12 --conversations 20000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import duckdb
import polars as pl

from spec_audit.sample.catalog import load_catalog
from spec_audit.sample.generate import generate_sample
from spec_audit.sample.injection import Injection, violation_label

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from injection_check import cli  # noqa: E402  (the same way to run the real CLI)

#: Violations the default policies never (or rarely) draw, planted at a constant rate.
PLANTED = (
    "present_perspectives:assistant-2026-08:+0:0.4:0.4",
    "support_mental_health:assistant-2026-08:+0:0.3:0.3",
    "no_topic_off_limits:assistant-2026-10:+0:0.3:0.3",
    "avoid_hateful_content:assistant-mini-2026-07:+0:0.5:0.5",
    "uphold_fairness:assistant-2026-08:+0:0.5:0.5",
    "do_not_lie:assistant-2026-10:+0:0.1:0.1",
    "do_not_encourage_self_harm:assistant-2026-10:+0:0.3:0.3",
    "avoid_errors:assistant-mini-2026-07:+0:0.1:0.1",
)


def recall_table(con: duckdb.DuckDBPyConnection, landing: Path) -> pl.DataFrame:
    """Return per injectable clause the planted and other turns, applicability, recall,
    false-positive rate and share of its findings on the injected kinds."""
    catalog = load_catalog()
    labels = pl.read_parquet(landing / "_labels.parquet").filter(
        pl.col("has_reply"), pl.col("destination") != "malformed"
    )
    labels = labels.with_columns(
        turn_id=pl.col("conversation_id") + ":" + pl.col("turn_index").cast(pl.String)
    )
    findings = con.sql(
        "SELECT turn_id, clause_id, verdict FROM findings WHERE verdict != 'unscored'"
    ).pl()
    rows = []
    for clause, entry in sorted(catalog.raw["injectable"].items()):
        kinds = catalog.kinds["kind"].gather(catalog.select(entry["kinds"])).implode()
        planted = violation_label(catalog, clause)
        own = findings.filter(pl.col("clause_id") == clause)
        turns = (
            labels.filter(pl.col("kind").is_in(kinds))
            .select("turn_id", planted=planted)
            .join(own, on="turn_id", how="left")
        )
        violated = (pl.col("verdict") == "violation").fill_null(False)
        found = pl.col("verdict").is_not_null()
        on_kinds = own.join(
            labels.select("turn_id", "kind", "conversation_id", "turn_index"), on="turn_id"
        )
        # The first turn of the injected kinds in each conversation that has one.
        first = (
            labels.filter(pl.col("kind").is_in(kinds))
            .group_by("conversation_id")
            .agg(first=pl.col("turn_index").min())
        )
        carried = on_kinds.join(first, on="conversation_id", how="left").select(
            (~pl.col("kind").is_in(kinds) & (pl.col("turn_index") > pl.col("first")))
            .fill_null(False)
            .mean()
        )
        rows.append(
            turns.select(
                clause=pl.lit(clause),
                held_back=pl.lit("held_back" in entry),
                planted=pl.col("planted").sum(),
                applicable=found.filter("planted").mean(),
                recall=violated.filter("planted").mean(),
                other=(~pl.col("planted")).sum(),
                false_pos=violated.filter(~pl.col("planted")).mean(),
                share=pl.lit(on_kinds["kind"].is_in(kinds).mean(), dtype=pl.Float64),
                carried=pl.lit(carried.item(), dtype=pl.Float64),
            )
        )
    return pl.concat(rows)


def markdown(table: pl.DataFrame) -> str:
    """Return the table as Markdown, rates to 3 decimals."""
    head = "| " + " | ".join(table.columns) + " |\n|" + "---|" * table.width + "\n"
    body = ""
    for row in table.iter_rows():
        cells = [f"{v:.3f}" if isinstance(v, float) else str(v) for v in row]
        body += "| " + " | ".join(cells) + " |\n"
    return head + body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--conversations", type=int, default=20000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--keep", type=Path, help="folder to keep the sample and audit in")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="injection-recall-") as scratch:
        base = args.keep or Path(scratch)
        landing, db = base / "landing", base / "audit.duckdb"
        generate_sample(
            landing,
            conversations=args.conversations,
            days=args.days,
            seed=args.seed,
            injections=[Injection.parse(text) for text in PLANTED],
            default_injections=False,
            allow_held_back=True,
        )
        cli("run", "--db", str(db), "--landing", str(landing))
        with duckdb.connect(str(db), read_only=True) as con:
            table = recall_table(con, landing)
    print(
        f"seed {args.seed}, {args.conversations:,} conversations, {args.days} days; "
        f"planted: {', '.join(PLANTED)}\n"
    )
    print(markdown(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
