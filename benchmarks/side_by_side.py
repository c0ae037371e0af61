"""Refusal phrase matching side by side: our Polars labelling vs what a user would otherwise write.

Run: .venv/bin/python benchmarks/side_by_side.py [--conversations 50000] [--runs 3] [--write]

The rows are the turns of a cached generated sample (``benchmarks/pipeline.py`` caches it under
data/bench), ingested into a temporary DuckDB file. The phrase list is the refusal labeller's own
lexicons (``transforms/lexicons/refusal_*.txt``), each compiled by ``transforms.lexicon.pattern``
to one case-insensitive alternation. Every contender answers the same question on the same replies,
"which of the refusal lexicons does this reply match?" (one boolean column a lexicon), and the
answers are checked to agree:

- ``polars``: what our labellers do: the replies lower-cased once (``transforms.casefold.fold``,
  timed), one search for the alternation of every lexicon (``transforms.scan.union``), then
  each lexicon searched only in the replies that matched it (``Text.when``), each with its
  lower-cased form without ``(?i)`` (``transforms.casefold.detection``), in one lazy plan;
- ``polars, a pass per lexicon``: the same without the first search, every lexicon over every
  reply (shown to say what the union is worth);
- ``python loop``: ``re.search`` per lexicon per row in plain Python;
- ``pandas .str``: ``Series.str.contains`` per lexicon;
- ``evidently``: Evidently's ``RegExp`` text descriptors over a pandas frame, run in a separate
  benchmark environment (``benchmarks/.venv-side``, created by ``make bench``; skipped without it).

Also timed: the whole refusal labeller (``transforms.refusal.label``: every lexicon, positions,
evidence spans, styles), which does more than the contenders do. Each figure is the median of
``--runs`` runs with min and max; all are timed in the same run of this script.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from pipeline import sample, write_section  # noqa: E402

from spec_audit import store  # noqa: E402
from spec_audit.ingest import ingest_paths  # noqa: E402
from transforms import refusal  # noqa: E402
from transforms.casefold import Text, detection, fold  # noqa: E402
from transforms.lexicon import LEXICON_DIR, pattern  # noqa: E402
from transforms.scan import union  # noqa: E402

SIDE_PYTHON = ROOT / "benchmarks" / ".venv-side" / "bin" / "python"
BEGIN, END = "<!-- side-by-side:begin -->", "<!-- side-by-side:end -->"

# Runs in the Evidently environment: argv = parquet of replies, JSON of {lexicon: regex}, runs.
_EVIDENTLY = """
import json, sys, time
import pandas as pd
from evidently import Dataset, DataDefinition
from evidently.descriptors import RegExp
replies = pd.read_parquet(sys.argv[1])
patterns = json.loads(open(sys.argv[2]).read())
seconds = []
for _ in range(int(sys.argv[3])):
    start = time.perf_counter()
    data = Dataset.from_pandas(
        replies,
        data_definition=DataDefinition(text_columns=["reply"]),
        descriptors=[RegExp("reply", reg_exp=regex, alias=name) for name, regex in patterns.items()],
    )
    frame = data.as_dataframe()
    seconds.append(time.perf_counter() - start)
hits = {name: int(frame[name].astype(bool).sum()) for name in patterns}
print(json.dumps({"seconds": seconds, "hits": hits}))
"""


def lexicons() -> dict[str, str]:
    """Return every refusal lexicon's name and its compiled case-insensitive regex."""
    names = sorted(p.stem for p in LEXICON_DIR.glob("refusal_*.txt"))
    return {name: pattern(name) for name in names}


def load_turns(conversations: int, seed: int) -> pl.DataFrame:
    """Return ``user_text, reply_text`` of the turns with a reply, from the cached sample."""
    landing = sample(conversations, 30, seed)
    with tempfile.TemporaryDirectory(prefix="spec-audit-side-") as work:
        con = store.connect(Path(work) / "side.duckdb")
        try:
            ingest_paths(con, [landing])
            return store.query(
                con,
                "SELECT user_text, reply_text FROM turns WHERE reply_text IS NOT NULL "
                "ORDER BY turn_id",
            )
        finally:
            con.close()


def timed(function: Callable[[], dict[str, int]], runs: int) -> tuple[list[float], dict[str, int]]:
    """Return the seconds of each run of ``function`` and its last answer."""
    seconds, answer = [], {}
    for _ in range(runs):
        start = time.perf_counter()
        answer = function()
        seconds.append(time.perf_counter() - start)
    return seconds, answer


def with_polars(replies: pl.Series, patterns: dict[str, str]) -> dict[str, int]:
    """Return hits per lexicon: one search for any lexicon, then each in the replies that matched."""
    frame = replies.to_frame("reply").lazy().with_columns(folded=fold(pl.col("reply")))
    text = Text(pl.col("reply"), pl.col("folded"))
    frame = frame.with_columns(any=text.contains(union(patterns.values())))
    matched = text.when(pl.col("any"))
    return (
        frame.select(matched.contains(rx).sum().alias(n) for n, rx in patterns.items())
        .collect()
        .row(0, named=True)
    )


def with_polars_per_lexicon(replies: pl.Series, patterns: dict[str, str]) -> dict[str, int]:
    frame = replies.to_frame("reply").lazy().with_columns(folded=fold(pl.col("reply")))
    searches = {n: (detection(rx), rx) for n, rx in patterns.items()}
    hits = frame.select(
        (pl.col("reply").str.contains(rx) if fast is None else pl.col("folded").str.contains(fast))
        .sum()
        .alias(n)
        for n, (fast, rx) in searches.items()
    )
    return hits.collect().row(0, named=True)


def with_python(replies: list[str], patterns: dict[str, str]) -> dict[str, int]:
    compiled = {name: re.compile(regex) for name, regex in patterns.items()}
    hits = dict.fromkeys(patterns, 0)
    for reply in replies:
        for name, regex in compiled.items():
            if regex.search(reply):
                hits[name] += 1
    return hits


def with_pandas(replies, patterns: dict[str, str]) -> dict[str, int]:
    return {name: int(replies.str.contains(rx, regex=True).sum()) for name, rx in patterns.items()}


def with_labeller(turns: pl.DataFrame) -> dict[str, int]:
    out = refusal.label(turns.lazy()).select(pl.col("refusal").value_counts()).collect()
    return {row["refusal"]["refusal"]: row["refusal"]["count"] for row in out.to_dicts()}


def with_evidently(replies: pl.Series, patterns: dict[str, str], runs: int) -> dict | None:
    """Return Evidently's timings and answer from the side environment, or None without it."""
    if not SIDE_PYTHON.exists():
        return None
    with tempfile.TemporaryDirectory(prefix="spec-audit-side-") as work:
        rows, lex = Path(work) / "replies.parquet", Path(work) / "patterns.json"
        replies.to_frame("reply").write_parquet(rows)
        lex.write_text(json.dumps(patterns), encoding="utf-8")
        out = subprocess.run(
            [str(SIDE_PYTHON), "-c", _EVIDENTLY, str(rows), str(lex), str(runs)],
            check=True,
            capture_output=True,
            text=True,
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(conversations: int, seed: int, runs: int) -> dict:
    """Return throughput of every contender on the same replies and the same lexicons."""
    import pandas as pd

    turns = load_turns(conversations, seed)
    replies = turns["reply_text"]
    patterns = lexicons()
    results = {}
    results["polars (ours)"] = timed(lambda: with_polars(replies, patterns), runs)
    results["polars, a pass per lexicon"] = timed(
        lambda: with_polars_per_lexicon(replies, patterns), runs
    )
    results["refusal labeller (ours, full)"] = timed(lambda: with_labeller(turns), runs)
    as_list, as_pandas = replies.to_list(), pd.Series(replies.to_list(), dtype="string")
    results["python loop"] = timed(lambda: with_python(as_list, patterns), runs)
    results["pandas .str"] = timed(lambda: with_pandas(as_pandas, patterns), runs)
    evidently = with_evidently(replies, patterns, runs)
    if evidently is not None:
        results["evidently RegExp"] = (evidently["seconds"], evidently["hits"])
    reference = results["polars (ours)"][1]
    agree = {
        name: answer == reference
        for name, (_, answer) in results.items()
        if name != "refusal labeller (ours, full)"
    }
    return {
        "rows": len(replies),
        "lexicons": len(patterns),
        "runs": runs,
        "seconds": {name: seconds for name, (seconds, _) in results.items()},
        "agree": agree,
        "hits": reference,
    }


def report(result: dict) -> str:
    """Return the Markdown section for RESULTS.md."""
    rows = result["rows"]
    ours = statistics.median(result["seconds"]["polars (ours)"])
    lines = [
        "## Side by side (`benchmarks/side_by_side.py`, issue #8)",
        "",
        f"{rows:,} generated replies; the {result['lexicons']} refusal lexicons "
        "(`transforms/lexicons/refusal_*.txt`), each one regex; every contender reports which "
        f"lexicons each reply matches. Median of {result['runs']} runs (min–max), same process, "
        "same rows; the answers (hits per lexicon) agree with ours: "
        + ", ".join(
            f"{n} {'yes' if ok else 'NO'}"
            for n, ok in result["agree"].items()
            if n != "polars (ours)"
        )
        + ".",
        "",
        "| contender | time | replies/s | ours is faster by |",
        "|---|---:|---:|---:|",
    ]
    for name, seconds in result["seconds"].items():
        median = statistics.median(seconds)
        ratio = "—" if name.endswith("(ours)") else f"{median / ours:.1f}x"
        if name.startswith("refusal labeller"):
            ratio = "(does more: positions, evidence, styles)"
        elif name.startswith("polars,"):
            ratio = f"{median / ours:.1f}x (ours without the union search)"
        lines.append(
            f"| {name} | {median:.2f} s ({min(seconds):.2f}–{max(seconds):.2f}) | "
            f"{rows / median:,.0f} | {ratio} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    text = report(measure(args.conversations, args.seed, args.runs))
    print(text)
    if args.write:
        write_section(text, begin=BEGIN, end=END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
