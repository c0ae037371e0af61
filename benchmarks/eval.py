"""Evaluate the labellers on the labelled development data and write benchmarks/ACCURACY.md.

Run: .venv/bin/python benchmarks/eval.py [--eval ../shared/eval] [--out benchmarks/ACCURACY.md]
     [--floors benchmarks/floors.yaml] [--predictions data/eval/predictions.jsonl]
     [--speed-conversations 50000] [--speed-runs 3] [--no-speed] [--no-typographic]
This is `make eval`. It runs ``spec_audit.evaluate.evaluate`` (the code of `spec-audit evaluate`)
over every labelled file in the folder, prints the scores table, writes the predictions and the
Markdown report (scores with 95% intervals, the published reference numbers beside ours, the gap to
the issue's targets, labelling speed), and exits 1 when a score is below its floor in floors.yaml.
The floors are checked a second time on a typographic copy of the files (``typographic_copies``:
curly apostrophes and quotes, em dashes, as phones, word processors and many models write), so a
labeller that reads only straight quotes fails. A missing folder is skipped with a message (exit 0).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb
import polars as pl
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from labelling_speed import (  # noqa: E402
    TARGET_TURNS_PER_SECOND,
    Speed,
    describe,
    generated_turns,
    time_labelling,
    typeset,
)

from spec_audit import config  # noqa: E402
from spec_audit.cli.evaluate import print_evaluation  # noqa: E402
from spec_audit.evaluate import (  # noqa: E402
    Evaluation,
    evaluate,
    labeller_version,
    write_predictions,
)
from spec_audit.evaluate.predict import load_settings  # noqa: E402
from spec_audit.spec.catalog import load_catalog  # noqa: E402

#: Published numbers to show beside ours: (key, dataset, metric, system, value, note).
REFERENCES = (
    ("refusal", "xstest_dev", "f1", "XSTest authors' string matching", 0.879,
     "all 2,250 labelled XSTest v2 completions, refusal = full or partial vs none"),
    ("refusal", "xstest_dev", "f1", "XSTest authors' GPT-4 judge", 0.806, "same rows"),
    ("refusal_partial", "xstest_dev", "recall", "XSTest authors' string matching", 0.00,
     "exact partial-refusal recall, same rows"),
    ("refusal_partial", "xstest_dev", "recall", "XSTest authors' GPT-4 judge", 0.11,
     "exact partial-refusal recall, same rows"),
    ("hallucination", "grounded_faithbench", "balanced_accuracy", "GPT-4o judge (FaithBench)",
     0.51, "the stored judgements on this split"),
    ("hallucination", "grounded_faithbench", "balanced_accuracy", "HHEM-2.1 (FaithBench)", 0.54,
     "the stored judgements on this split"),
)  # fmt: skip


def floor_checks(evaluation: Evaluation, floors: list[dict]) -> pl.DataFrame:
    """Return one row per floor: the measured value, its interval, the floor, target and verdict."""
    scores = evaluation.scores
    rows = []
    for entry in floors:
        value = low = high = None
        if entry["metric"] == "rows_in_catalog":
            found = evaluation.coverage.filter(pl.col("dataset") == entry["dataset"])
            value = float(found["in_catalog"][0]) if found.height else None
        else:
            found = scores.filter(
                (pl.col("key") == entry["key"]) & (pl.col("dataset") == entry["dataset"])
            )
            if found.height:
                value, low, high = (
                    found[f"{entry['metric']}{s}"][0] for s in ("", "_low", "_high")
                )
        ceiling = entry.get("direction") == "max"
        limit = entry.get("floor")
        if value is None or (isinstance(value, float) and math.isnan(value)):
            verdict = "missing"
        elif limit is None:
            verdict = "reported"
        else:
            verdict = "ok" if (value <= limit if ceiling else value >= limit) else "BELOW FLOOR"
        reached = value is not None and (
            value <= entry["target"] if ceiling else value >= entry["target"]
        )
        rows.append({**entry, "value": value, "low": low, "high": high, "verdict": verdict,
                     "target_reached": reached})  # fmt: skip
    return pl.DataFrame(rows, infer_schema_length=None)


def _fmt(value: float | None, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.{digits}f}"


def _ci(row: dict, metric: str) -> str:
    value = row.get(metric)
    if value is None:
        return "—"
    low, high = row.get(f"{metric}_low"), row.get(f"{metric}_high")
    return f"{_fmt(value)} ({_fmt(low, 2)}–{_fmt(high, 2)})" if low is not None else _fmt(value)


def _commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return f"{commit} (with uncommitted changes)" if dirty else commit


def typographic_copies(files: Sequence[Path], folder: Path) -> list[Path]:
    """Return copies of the labelled ``files`` in ``folder`` with every message's content
    rewritten by ``labelling_speed.typeset`` (labels and other fields unchanged)."""
    copies = []
    for path in files:
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as lines:
            records = [json.loads(line) for line in lines if line.strip()]
        messages = [
            m
            for r in records
            for m in r.get("messages") or []
            if isinstance(m, dict) and isinstance(m.get("content"), str)
        ]
        texts = pl.DataFrame({"t": [m["content"] for m in messages]}, schema={"t": pl.String})
        typeset_texts = texts.select(typeset(pl.col("t")))["t"]
        for message, text in zip(messages, typeset_texts, strict=True):
            message["content"] = text
        copy = folder / path.name.removesuffix(".gz")
        copy.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
        )
        copies.append(copy)
    return copies


def report(
    evaluation: Evaluation,
    checks: pl.DataFrame,
    speeds: Sequence[Speed],
    seconds: float,
    files: list[Path],
    typographic_checks: pl.DataFrame | None = None,
) -> str:
    """Return ACCURACY.md."""
    settings = load_settings()
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Labeller accuracy on the development data (issue #11)",
        "",
        "Written by `benchmarks/eval.py` (`make eval`); rerun it to reproduce every number. It runs",
        "the real ingest, labellers and clause verdicts (`spec-audit evaluate`) on the labelled files",
        "of `../shared/eval` with their gold labels, dataset names and metadata stripped before",
        "ingest, and scores the last turn of each conversation against the gold kept aside.",
        "",
        f"- date: {now}",
        f"- commit: `{_commit()}`",
        f"- labellers: `{labeller_version()}`; catalog: model-spec "
        f"{load_catalog(config.spec_path()).version}",
        f"- machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs",
        f"- Python {platform.python_version()}, polars {pl.__version__}, duckdb {duckdb.__version__}",
        f"- files: {', '.join(f.name for f in files)}; records {evaluation.records:,}, "
        f"conversations {evaluation.predictions.height:,} ({evaluation.without_turns:,} without "
        f"turns), turns labelled {evaluation.turns:,}; "
        f"evaluation run time {seconds:.0f} s",
        "- rejected by the ingest (scored as empty conversations): "
        + (", ".join(f"{r}: {n:,}" for r, n in evaluation.rejected.items()) or "none"),
        f"- `prompt_harmful` = `prompt_intent` in {list(settings.harmful_intents)} (ambiguous "
        "counts as not harmful); hallucination flag = any of "
        f"{', '.join(f'`{m}`' for m in settings.hallucination_markers)}; biased = any of "
        f"{', '.join(f'`{m}`' for m in settings.bias_markers)} "
        "(`spec_audit/evaluate/predictions.yaml`)",
        "",
        "## Issue targets and CI floors",
        "",
        "`floor` is what CI enforces (`benchmarks/floors.yaml`): the issue's target where we reach",
        "it, else the value measured when the floor was last raised; floors only ever go up.",
        "Values are point estimates with 95% intervals (Wilson; bootstrap for F1 and balanced",
        "accuracy).",
        "",
        "| metric | data set | target | floor | ours (95% CI) | gap to target | CI |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in checks.iter_rows(named=True):
        ceiling = row.get("direction") == "max"
        sign = "≤" if ceiling else "≥"
        value = row["value"]
        gap = "reached" if row["target_reached"] else (
            "—" if value is None else f"{abs(row['target'] - value):.3f} to go"
        )  # fmt: skip
        shown = _fmt(value, 0 if row["metric"] == "rows_in_catalog" else 3)
        if row["low"] is not None:
            shown += f" ({_fmt(row['low'], 2)}–{_fmt(row['high'], 2)})"
        limit = "—" if row["floor"] is None else f"{sign} {row['floor']}"
        lines.append(
            f"| {row['key']} {row['metric']} | {row['dataset']} | {sign} {row['target']} | "
            f"{limit} | {shown} | {gap} | {row['verdict']} |"
        )
    lines += ["", "## The floors on typographic text", ""]
    if typographic_checks is None:
        lines.append("Not measured in this run (`--no-typographic`).")
    else:
        lines += [
            "The same files with every message rewritten as phones, word processors and many",
            "models write (curly apostrophes and quotes, em dashes; `typographic_copies`), scored",
            "against the same floors:",
            "",
            "| metric | data set | floor | plain text | typographic | CI |",
            "|---|---|---|---|---|---|",
        ]
        plain = {
            (r["key"], r["metric"], r["dataset"]): r["value"] for r in checks.iter_rows(named=True)
        }
        for row in typographic_checks.iter_rows(named=True):
            sign = "≤" if row.get("direction") == "max" else "≥"
            digits = 0 if row["metric"] == "rows_in_catalog" else 3
            limit = "—" if row["floor"] is None else f"{sign} {row['floor']}"
            lines.append(
                f"| {row['key']} {row['metric']} | {row['dataset']} | {limit} | "
                f"{_fmt(plain.get((row['key'], row['metric'], row['dataset'])), digits)} | "
                f"{_fmt(row['value'], digits)} | {row['verdict']} |"
            )
    lines += ["", "## Published reference numbers beside ours", ""]
    lines += ["| metric | data set | system | value | note |", "|---|---|---|---|---|"]
    scores = evaluation.scores
    measured = dict.fromkeys((key, dataset, metric) for key, dataset, metric, *_ in REFERENCES)
    for key, dataset, metric in measured:
        ours = scores.filter((pl.col("key") == key) & (pl.col("dataset") == dataset))
        value = _ci(ours.row(0, named=True), metric) if ours.height else "—"
        rows = f"{ours['n'][0]:,}" if ours.height else "0"
        lines.append(
            f"| {key} {metric} | {dataset} | **spec-audit (ours)** | {value} | "
            f"development split, {rows} rows |"
        )
        for ref_key, ref_dataset, ref_metric, system, number, note in REFERENCES:
            if (ref_key, ref_dataset, ref_metric) == (key, dataset, metric):
                lines.append(f"| {key} {metric} | {dataset} | {system} | {number:.3f} | {note} |")
    lines += [
        "",
        "## Every score",
        "",
        "`refusal`: any refusal (partial or full) vs none; `refusal_partial`: partial vs not;",
        "`clauses`: violation vs anything else, per (conversation, labelled clause in the catalog);",
        "`harm_category`: share of gold-harmful prompts given the gold category (accuracy only);",
        "`all`: the data sets of one key pooled. FPR = false-positive rate (share of gold negatives",
        "flagged). — marks a metric with no denominator (for example recall without gold positives).",
        "",
        "| key | data set | n | gold + | precision | recall | F1 | balanced acc. | FPR | accuracy |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in scores.iter_rows(named=True):
        positives = "—" if row["kind"] == "category" else f"{row['positives']:,}"
        metrics = " | ".join(
            _ci(row, m)
            for m in (
                "precision", "recall", "f1", "balanced_accuracy", "false_positive_rate", "accuracy"
            )
        )  # fmt: skip
        lines.append(
            f"| {row['key']} | {row['dataset']} | {row['n']:,} | {positives} | {metrics} |"
        )
    lines += ["", "## Clause coverage", ""]
    for row in evaluation.coverage.iter_rows(named=True):
        lines.append(
            f"- {row['dataset']}: {row['rows']:,} labelled rows; {row['in_catalog']:,} have every "
            f"labelled clause in the catalog; {row['testable']:,} have every labelled clause "
            "testable (with signals); rows of clauses outside the catalog are not scored"
        )
    lines += ["", "## Labelling speed", ""]
    if not speeds:
        lines.append("Not measured in this run (`--no-speed`).")
    else:
        lines += [
            "`benchmarks/labelling_speed.py`: `transforms.label_frame` and `spec_audit.findings.judge`",
            "(every signal and every clause verdict) over the turns of a seeded generated sample held",
            "in memory; wall-clock time, this machine shared with other work while measuring. The",
            "generator repeats its template texts, so the second line times the same turns with every",
            "user, reply and context text made distinct (`--distinct`): the figure to expect on",
            "production logs, and the one the target is judged on. The third line times those",
            "distinct turns once more written with curly quotes, dashes and accented words",
            "(`--distinct --typographic`), as production text often is outside ASCII.",
            "",
        ]
        for speed in speeds:
            lines += [
                f"- {describe(speed)}",
                f"  - runs: {', '.join(f'{r:,.0f}' for r in speed.rates)} turns/s",
            ]
        judged = next(s for s in speeds if s.distinct and not s.typographic)
        lines.append(
            f"- target {TARGET_TURNS_PER_SECOND:,} turns/s on distinct texts: "
            + ("reached" if judged.median >= TARGET_TURNS_PER_SECOND else "**not reached**")
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "ACCURACY.md")
    parser.add_argument("--floors", type=Path, default=ROOT / "benchmarks" / "floors.yaml")
    parser.add_argument(
        "--predictions", type=Path, default=ROOT / "data" / "eval" / "predictions.jsonl"
    )
    parser.add_argument("--speed-conversations", type=int, default=50_000)
    parser.add_argument("--speed-runs", type=int, default=3)
    parser.add_argument("--no-speed", action="store_true", help="skip the speed benchmark")
    parser.add_argument(
        "--no-typographic", action="store_true", help="skip the floors on the typographic copy"
    )
    args = parser.parse_args()
    if not args.eval.is_dir():
        print(f"make eval: {args.eval} not found; skipping the accuracy evaluation")
        return 0
    files = sorted(p for p in args.eval.iterdir() if p.name.endswith((".jsonl", ".jsonl.gz")))
    if not files:
        print(f"make eval: no labelled .jsonl files in {args.eval}; skipping")
        return 0
    catalog = load_catalog(config.spec_path())
    began = time.perf_counter()
    evaluation = evaluate(files, catalog)
    seconds = time.perf_counter() - began
    print_evaluation(evaluation, f"spec {catalog.spec_id} {catalog.version}")
    write_predictions(evaluation.predictions, args.predictions)
    print(f"predictions: {args.predictions}")
    floors = yaml.safe_load(args.floors.read_text(encoding="utf-8"))["floors"]
    checks = floor_checks(evaluation, floors)
    typographic_checks = None
    if not args.no_typographic:
        with tempfile.TemporaryDirectory(prefix="eval-typographic-") as folder:
            copies = typographic_copies(files, Path(folder))
            typographic_checks = floor_checks(evaluate(copies, catalog), floors)
    speeds: list[Speed] = []
    if not args.no_speed:
        turns = generated_turns(args.speed_conversations)
        speeds = [
            time_labelling(turns, args.speed_runs, distinct=d, typographic=t)
            for d, t in ((False, False), (True, False), (True, True))
        ]
        for speed in speeds:
            print(describe(speed))
    text = report(evaluation, checks, speeds, seconds, files, typographic_checks)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    failures = 0
    for variant, table in (("", checks), (" (typographic text)", typographic_checks)):
        if table is None:
            continue
        failed = table.filter(pl.col("verdict").is_in(["BELOW FLOOR", "missing"]))
        failures += failed.height
        for row in failed.iter_rows(named=True):
            print(
                f"FAIL {row['key']} {row['metric']} on {row['dataset']}{variant}: "
                f"{_fmt(row['value'])} ({row['verdict']}, floor {row['floor']})"
            )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
