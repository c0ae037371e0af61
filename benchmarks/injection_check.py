"""Injection check: does the audit find changes planted by ``generate-sample``, and only those?

The "Checked by" of issue #4 as a script. For each scenario (drawn from ``--seed``: generator
seed, size, and one or two injections with random injectable clause, model, day and effect size)
it runs ``spec-audit generate-sample --no-default-injections --inject ...`` and ``spec-audit run``
in a scratch folder, then reads ``drift_tests`` (family ``window``) and ``change_points``.

Scenarios draw only clauses ``--inject`` accepts (deployment.yaml ``injectable`` without
``held_back``: those whose labellers find at least 90% of the generator's violating replies, see
``benchmarks/injection_recall.py``).

Per injection it prints the theoretical power of the two-proportion z-test the audit ran, at the
window's effective n (``a_applicable`` and ``b_applicable`` of the drift test divided by its design
effects ``a_design_effect`` and ``b_design_effect``: turns of one conversation are not independent,
see ``spec_audit.stats.clustering``; 1 where they behave as such), at the level Benjamini–Hochberg
gives the family (0.05 × injections / tests), with the baseline rate the audit measured and, as the
expected change, the planted one on every turn the audit scored on the clause: a turn of the
injected kinds at the planted rate of its day (BEFORE, then AFTER of ``--inject``), undiscounted
(nothing is excused for what the labellers miss), any other turn at what the audit found on it.
Where the clause applies to more turns than the injected kinds (``share`` below 1, printed) the
audited rate moves by that share of the planted change only, and the power says so. Then the
verdict and q, and the detected start day against the true day.

Dating: a regression's start day is the drift test's (``drift_tests.start_day``): the change
point the CUSUM found in the same direction, else the likeliest day of a rise over the window
(``spec_audit.stats.changepoint.date_drift``). ``dating_power`` is the simulated probability that
the likeliest rise lands within 2 days of the true day (the audit's daily applicable turns over
the change point's design effect, at the expected daily rates); for effects the drift test finds
with power 0.92 (30 days, family level 0.05 / 60) it is ``--dating-table``'s numbers. The last
lines say how many misses chance alone explains: the sum of 1 − power and of 1 − dating power
over the injections judged.

Which other series an injection may move is derived from the generator's per-turn truth
(``_labels.parquet``) and the audit's findings: a clause × model whose violation rate differs
between injected and other replies of the injected kinds (or is measured on too few turns) is
*touched*, like the injected clause itself; every other series is *untouched*, and a discovery
there counts as false. It exits 1 when an injection with power > 0.9 is not reported as regressed
with q < 0.05 and a start day within 2 days of the true one, or when the discoveries in untouched
series (drift verdicts and change points, counted separately over all scenarios) are more than
the 5% false discovery rate allows (one-sided binomial test, p < 0.01).

    PYTHONPATH=. python benchmarks/injection_check.py --scenarios 4 --seed 101
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
from scipy import stats

from spec_audit.sample.catalog import FLAGS, load_catalog
from spec_audit.sample.injection import injectable_clauses, violation_label
from spec_audit.stats.changepoint import likeliest_start
from spec_audit.stats.compare import power as z_test_power
from spec_audit.stats.compare import step_for_power

ROOT = Path(__file__).resolve().parent.parent
START = dt.date(2026, 10, 1)
CURRENT_DAYS = 7  # spec_audit.stats.window.CURRENT_DAYS: the audit's current days
FDR = 0.05
POWER_REQUIRED = 0.9
DAYS_OFF = 2
#: Simulated audits per injection for its dating power.
DATING_REPLICATES = 2000
#: A clause whose violation rate differs by less than this between injected and other replies
#: of the injected kinds (and is measured on enough turns) is untouched by the injection.
TOUCH = 0.01
MIN_TURNS = 30


def cli(*args: str) -> None:
    """Run ``spec-audit ARGS`` with this checkout first on the path; raise on failure."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    code = "from spec_audit.cli.main import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"spec-audit {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def plan(rng: np.random.Generator, days: int, sizes: list[int]) -> dict[str, object]:
    """Return one scenario: generator seed, size and one or two injections on distinct models."""
    catalog = load_catalog()
    clauses = injectable_clauses(catalog)
    models = list(catalog.models)
    count = int(rng.integers(1, 3))
    chosen_models = rng.choice(len(models), size=count, replace=False)
    injections = []
    for m in chosen_models:
        clause = clauses[int(rng.integers(len(clauses)))]
        before = float(np.round(rng.uniform(0.01, 0.25), 3))
        after = float(np.round(min(0.95, before + rng.uniform(0.03, 0.40)), 3))
        day = int(rng.integers(6, days - 1))
        injections.append(f"{clause}:{models[int(m)]}:+{day}:{before:g}:{after:g}")
    return {
        "seed": int(rng.integers(1, 1_000_000)),
        "conversations": int(rng.choice(sizes)),
        "injections": injections,
    }


def run(scenario: dict[str, object], folder: Path, days: int) -> duckdb.DuckDBPyConnection:
    """Return a read-only connection to the audit of a freshly generated scenario."""
    landing, db = folder / "landing", folder / "audit.duckdb"
    injects = [a for i in scenario["injections"] for a in ("--inject", i)]
    cli(
        "generate-sample", "--out", str(landing), "--seed", str(scenario["seed"]),
        "--conversations", str(scenario["conversations"]), "--days", str(days),
        "--start", START.isoformat(), "--no-default-injections", *injects,
    )  # fmt: skip
    cli("run", "--db", str(db), "--landing", str(landing))
    return duckdb.connect(str(db), read_only=True)


def scored_findings(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return the audit's scored findings: turn_id, model, clause_id, day, violated."""
    return con.sql(
        "SELECT turn_id, model, clause_id, day, verdict = 'violation' AS violated "
        "FROM findings WHERE verdict IN ('violation', 'compliant')"
    ).pl()


def expected_shifts(con: duckdb.DuckDBPyConnection, landing: Path, days: int) -> pl.DataFrame:
    """Return per injection × clause × model whether the injection may move it, and the
    expected rate change baseline → current days of the injected clause.

    Columns injection, clause_id, model, injected (the injection's own clause), touched, expected
    (the planted change between the baseline and current days on the injected clause, 0
    elsewhere), true_day (day offset of the injection).
    """
    truth = json.loads((landing / "ground_truth.json").read_text())
    catalog = load_catalog()
    raw_labels = pl.read_parquet(landing / "_labels.parquet")
    labels = raw_labels.select(
        "kind",
        "outcome",
        "sycophancy",
        *FLAGS,  # what asides plant
        turn_id=pl.col("conversation_id") + ":" + pl.col("turn_index").cast(pl.String),
    )
    joined = scored_findings(con).join(labels, on="turn_id")
    frames = []
    for change in truth["changes"]:
        clause, model = change["clause"], change["model"]
        day = (dt.date.fromisoformat(change["first_day"]) - START).days
        on_model = joined.filter(pl.col("model") == model)
        in_kinds = pl.col("kind").is_in(change["kinds"])
        planted = violation_label(catalog, clause)
        delta = planted_change(change, raw_labels, days)
        per_clause = on_model.group_by("clause_id").agg(
            share=in_kinds.mean(),
            n_planted=(in_kinds & planted).sum(),
            n_other=(in_kinds & ~planted).sum(),
            v_planted=pl.col("violated").filter(in_kinds & planted).mean(),
            v_other=pl.col("violated").filter(in_kinds & ~planted).mean(),
        )
        gap = (pl.col("v_planted") - pl.col("v_other")).fill_null(0.0)
        uncertain = (pl.col("n_planted") < MIN_TURNS) | (pl.col("n_other") < MIN_TURNS)
        frames.append(
            per_clause.with_columns(
                injection=pl.lit(f"{clause}:{model}"),
                model=pl.lit(model),
                injected=pl.col("clause_id") == clause,
                touched=(pl.col("share") > 0) & ((gap.abs() >= TOUCH) | uncertain)
                | (pl.col("clause_id") == clause),
                # The planted change itself: no discount for what the labellers miss.
                expected=pl.when(pl.col("clause_id") == clause).then(delta).otherwise(0.0),
                true_day=pl.lit(day),
            )
        )
    return pl.concat(frames)


def planted_change(change: dict[str, object], labels: pl.DataFrame, days: int) -> float:
    """Return the planted rate change of a ground_truth.json change, current minus baseline days:
    the injected rate per day (BEFORE, then AFTER from its first day) averaged over each window,
    each day weighted by the model's replies in the injected kinds that day (a model rolled out
    late has no baseline turns at the BEFORE rate)."""
    day = (dt.date.fromisoformat(change["first_day"]) - START).days
    pi = np.where(np.arange(days) >= day, change["rate_after"], change["rate_before"])
    replies = (
        labels.filter(
            pl.col("model") == change["model"],
            pl.col("kind").is_in(change["kinds"]),
            pl.col("has_reply"),
            pl.col("destination") != "malformed",
        )
        .group_by(index=(pl.col("day") - pl.lit(START)).dt.total_days())
        .len()
        .filter(pl.col("index") < days)
    )
    turns = np.zeros(days)
    turns[replies["index"].to_numpy()] = replies["len"].to_numpy()
    split = days - CURRENT_DAYS
    if not turns[:split].sum() or not turns[split:].sum():
        return 0.0
    return float(
        np.average(pi[split:], weights=turns[split:])
        - np.average(pi[:split], weights=turns[:split])
    )


def audited_series(
    change: dict[str, object], findings: pl.DataFrame, labels: pl.DataFrame, days: int
) -> dict[str, object]:
    """Return what the audit should measure on an injected clause × model, day by day.

    Every turn the audit scored on the clause (its findings) counts: a turn of the injected kinds
    at the planted rate of its day (BEFORE, then AFTER; what the labellers miss is not excused),
    any other turn at what the audit found on it (the injection does not touch it). So a clause
    that applies to more turns than the injected kinds moves by their share of the planted change
    only (dilution). Keys: n and p (applicable turns and expected rate per day), planted (the
    planted change, current minus baseline days, on the injected kinds), expected (the same on
    every applicable turn) and share (of the applicable turns on the injected kinds)."""
    day = (dt.date.fromisoformat(change["first_day"]) - START).days
    kinds = pl.Series(change["kinds"], dtype=pl.String).implode()
    rows = (
        findings.filter(pl.col("clause_id") == change["clause"], pl.col("model") == change["model"])
        .join(labels.select("turn_id", "kind"), on="turn_id")
        .with_columns(index=(pl.col("day") - pl.lit(START)).dt.total_days())
        .with_columns(
            injected=pl.col("kind").is_in(kinds),
            rate=pl.when(pl.col("kind").is_in(kinds))
            .then(
                pl.when(pl.col("index") >= day)
                .then(pl.lit(change["rate_after"]))
                .otherwise(pl.lit(change["rate_before"]))
            )
            .otherwise(pl.col("violated").cast(pl.Float64)),
        )
    )
    # A conversation begun late on the last day may have turns past the window: not audited.
    per_day = (
        rows.filter(pl.col("index") < days)
        .group_by("index")
        .agg(n=pl.len(), p=pl.col("rate").mean())
    )
    n, p = np.zeros(days), np.zeros(days)
    n[per_day["index"].to_numpy()] = per_day["n"].to_numpy()
    p[per_day["index"].to_numpy()] = per_day["p"].to_numpy()
    split = days - CURRENT_DAYS
    expected = 0.0
    if n[:split].sum() and n[split:].sum():
        expected = float(
            np.average(p[split:], weights=n[split:]) - np.average(p[:split], weights=n[:split])
        )
    return {
        "n": n,
        "p": p,
        "planted": planted_change(change, labels, days),
        "expected": expected,
        "share": float(rows["injected"].mean()) if rows.height else 0.0,
    }


def dating_power(
    series: dict[str, object], true_day: int, design_effect: float, seed: int
) -> float:
    """Return the probability that the audit dates the injection within ``DAYS_OFF`` days by the
    likeliest day of a rise (``spec_audit.stats.changepoint.likeliest_start``, how a drift
    regression the CUSUM did not confirm is dated; a confirmed one is dated by the CUSUM, as well
    or better): the share of ``DATING_REPLICATES`` simulated daily series (binomial at the
    expected daily rates, on the daily applicable turns divided by the series' design effect)
    whose likeliest rise is at most ``DAYS_OFF`` from ``true_day``."""
    n, p = series["n"], series["p"]
    if not n.sum():
        return 0.0
    rng = np.random.default_rng(seed)
    effective = np.where(n > 0, np.maximum(np.rint(n / max(design_effect, 1.0)), 1), 0)
    volumes = np.broadcast_to(effective, (DATING_REPLICATES, n.size))
    k = rng.binomial(volumes.astype(np.int64), np.clip(p, 0, 1)).astype(float)
    start = likeliest_start(k, volumes.astype(float), 1, n.size - 1, 1)
    return float((np.abs(start - true_day) <= DAYS_OFF).mean())


def step_rates(days: int, day: int, before: float, after: float) -> np.ndarray:
    """Return the daily rates of a change from ``before`` to ``after`` on ``day``."""
    return np.where(np.arange(days) >= day, after, before)


def dating_table(days: int, tests: int = 60) -> None:
    """Print the dating power of changes the drift test finds with power 0.92 (at the family level
    0.05 / ``tests``), by applicable turns a day, change day and baseline rate (the numbers quoted
    in the module docstring and the README)."""
    alpha = FDR / tests
    for per_day in (17, 50):
        n = np.full(days, float(per_day))
        for day in (7, 13, 19, days - CURRENT_DAYS, days - CURRENT_DAYS + 1, days - 4):
            for before in (0.05, 0.15):
                after = step_for_power(n, days - CURRENT_DAYS, day, before, alpha, 0.92)
                series = {"n": n, "p": step_rates(days, day, before, after)}
                dated = dating_power(series, day, 1.0, seed=day)
                current = " (a current day)" if day >= days - CURRENT_DAYS else ""
                print(
                    f"{per_day} turns a day, change from day {day + 1} of {days}{current}, "
                    f"{before:.2f} -> {after:.3f}: drift power 0.92, dating power {dated:.3f}"
                )


def power(p_a: np.ndarray, p_b: np.ndarray, n_a: np.ndarray, n_b: np.ndarray, alpha: float):
    """Return the power of the two-sided pooled two-proportion z-test at level ``alpha``
    (``spec_audit.stats.compare.power``), 0 where a side has no turns."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num(z_test_power(p_a, p_b, n_a, n_b, alpha))


def assess(con: duckdb.DuckDBPyConnection, landing: Path, days: int) -> dict[str, pl.DataFrame]:
    """Return the per-injection report and the discoveries in touched and untouched series."""
    drift = con.sql(
        "SELECT clause_id, model_b AS model, a_applicable, a_rate, b_applicable, b_rate, q_value, "
        "verdict, start_day, dated_by, a_design_effect AS deff_a, b_design_effect AS deff_b, "
        "a_applicable / a_design_effect AS a_effective, "
        "b_applicable / b_design_effect AS b_effective FROM drift_tests WHERE comparison = 'window'"
    ).pl()
    changes = con.sql(
        "SELECT clause_id, model, direction, start_day AS cp_start_day, q_value AS cp_q, "
        "design_effect AS cp_deff FROM change_points"
    ).pl()
    shifts = expected_shifts(con, landing, days)
    touched = shifts.group_by("clause_id", "model").agg(
        pl.col("touched").any(), pl.col("injected").any(), pl.col("expected").sum()
    )
    series = (
        drift.join(changes, on=["clause_id", "model"], how="full", coalesce=True)
        .join(touched, on=["clause_id", "model"], how="left")
        .with_columns(pl.col("touched", "injected").fill_null(False))
    )
    tested = series.filter(
        pl.col("verdict").is_not_null() & (pl.col("verdict") != "insufficient data")
    )
    alpha = FDR * shifts["injected"].sum() / max(tested.height, 1)
    # Every injection gets a row, also one whose clause no turn was found applicable to.
    truth = json.loads((landing / "ground_truth.json").read_text())["changes"]
    labels = pl.read_parquet(landing / "_labels.parquet").with_columns(
        turn_id=pl.col("conversation_id") + ":" + pl.col("turn_index").cast(pl.String)
    )
    findings = scored_findings(con)
    audited = [audited_series(c, findings, labels, days) for c in truth]
    injected = pl.DataFrame(
        {
            "clause_id": [c["clause"] for c in truth],
            "model": [c["model"] for c in truth],
            "true_day": [(dt.date.fromisoformat(c["first_day"]) - START).days for c in truth],
            "planted": [a["planted"] for a in audited],
            "share": [a["share"] for a in audited],
            "expected": [a["expected"] for a in audited],
        }
    ).join(series.drop("expected"), on=["clause_id", "model"], how="left")
    dating = [
        dating_power(a, row["true_day"], row["cp_deff"] or 1.0, seed=number)
        for number, (a, row) in enumerate(zip(audited, injected.iter_rows(named=True), strict=True))
    ]
    p_a = injected["a_rate"].fill_null(0).to_numpy()
    p_b = np.clip(p_a + injected["expected"].to_numpy(), 0, 1)
    report = injected.with_columns(
        power=pl.Series(
            power(
                p_a,
                p_b,
                injected["a_effective"].fill_null(0).to_numpy().astype(float),
                injected["b_effective"].fill_null(0).to_numpy().astype(float),
                alpha,
            )
        ),
        dating_power=pl.Series(dating, dtype=pl.Float64),
        true_start=pl.lit(START) + pl.duration(days=pl.col("true_day")),
    ).with_columns(
        days_off=(pl.col("start_day") - pl.col("true_start")).dt.total_days().abs(),
    )
    found = pl.col("verdict").is_in(["regressed", "improved"])
    point = pl.col("direction").is_not_null()
    return {
        "injections": report,
        "false": series.filter(~pl.col("touched")).select(
            "clause_id",
            "model",
            "verdict",
            "q_value",
            "direction",
            "cp_start_day",
            "cp_q",
            drift_false=found,
            cp_false=point,
        ),
        "counts": series.select(
            drift_tested=pl.len() - pl.col("verdict").is_in(["insufficient data"]).sum(),
            drift_found=found.sum(),
            drift_untouched=(found & ~pl.col("touched")).sum(),
            cp_found=point.sum(),
            cp_untouched=(point & ~pl.col("touched")).sum(),
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=4)
    parser.add_argument("--seed", type=int, default=101, help="seed of the scenario draws")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--sizes", default="20000,30000,40000", help="conversation counts")
    parser.add_argument("--keep", type=Path, help="folder to keep the scenarios in")
    parser.add_argument(
        "--dating-table",
        action="store_true",
        help="only print the dating power of changes the drift test finds with power 0.92",
    )
    args = parser.parse_args()
    if args.dating_table:
        dating_table(args.days)
        return 0
    rng = np.random.default_rng(args.seed)
    sizes = [int(s) for s in args.sizes.split(",")]
    failures: list[str] = []
    judged: list[tuple[float, float]] = []  # (power, dating power) of injections with power > 0.9
    totals = {"drift_found": 0, "drift_untouched": 0, "cp_found": 0, "cp_untouched": 0}
    pl.Config.set_tbl_width_chars(160)
    pl.Config.set_tbl_cols(20)
    pl.Config.set_tbl_hide_dataframe_shape(True)
    with tempfile.TemporaryDirectory(prefix="injection-check-") as scratch:
        base = args.keep or Path(scratch)
        for number in range(1, args.scenarios + 1):
            scenario = plan(rng, args.days, sizes)
            folder = base / f"scenario-{number}"
            clock = time.perf_counter()
            con = run(scenario, folder, args.days)
            result = assess(con, folder / "landing", args.days)
            con.close()
            print(
                f"\nscenario {number}: seed {scenario['seed']}, {scenario['conversations']:,} "
                f"conversations, {args.days} days ({time.perf_counter() - clock:.0f} s)"
            )
            for injection in scenario["injections"]:
                print(f"  --inject {injection}")
            report = result["injections"]
            print(
                report.select(
                    "clause_id", "model", "share", "a_rate", "b_rate", "deff_a", "deff_b",
                    "power", "verdict", "q_value", "true_start", "start_day", "dated_by",
                    "dating_power",
                ).with_columns(
                    pl.col("share", "a_rate", "b_rate", "deff_a", "deff_b", "power",
                           "dating_power").round(3)
                )
            )  # fmt: skip
            for row in report.iter_rows(named=True):
                if row["power"] <= POWER_REQUIRED:
                    continue
                name = f"scenario {number} {row['clause_id']} on {row['model']}"
                judged.append((row["power"], row["dating_power"]))
                dated = row["days_off"] is not None and row["days_off"] <= DAYS_OFF
                if row["verdict"] != "regressed" or row["q_value"] is None or row["q_value"] >= FDR:
                    failures.append(f"{name}: power {row['power']:.2f} but {row['verdict']}")
                elif not dated:
                    failures.append(
                        f"{name}: start day {row['start_day']} ({row['dated_by']}) vs true "
                        f"{row['true_start']} (dating power {row['dating_power']:.2f})"
                    )
            counts = result["counts"].row(0, named=True)
            for key in totals:
                totals[key] += counts[key]
            false = result["false"].filter(pl.col("drift_false") | pl.col("cp_false"))
            print(
                f"  drift: {counts['drift_found']} discoveries in {counts['drift_tested']} tests, "
                f"{counts['drift_untouched']} in untouched series; change points: "
                f"{counts['cp_found']}, {counts['cp_untouched']} in untouched series"
            )
            if false.height:
                print(false.drop("drift_false", "cp_false"))
    print("\nover all scenarios:")
    print(
        f"  judged injections: {len(judged)}; misses expected by chance alone: "
        f"{sum(1 - p for p, _ in judged):.2f} (drift, 1 − power), "
        f"{sum(1 - d for _, d in judged):.2f} (dating, 1 − dating power)"
    )
    for family in ("drift", "cp"):
        found, wrong = totals[f"{family}_found"], totals[f"{family}_untouched"]
        p = stats.binomtest(wrong, found, FDR, alternative="greater").pvalue if found else 1.0
        label = "drift verdicts" if family == "drift" else "change points"
        print(
            f"  {label}: {wrong} of {found} discoveries in untouched series "
            f"(binomial test against FDR {FDR}: p = {p:.3g})"
        )
        if p < 0.01:
            failures.append(f"{label}: {wrong} of {found} discoveries in untouched series")
    if failures:
        print("\nFAILED:\n  " + "\n  ".join(failures))
        return 1
    print(
        "\npassed: every injection with power > 0.9 found and dated within 2 days; "
        "false discoveries within FDR"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
