"""Prove the statistics by simulation and write benchmarks/STATS.md (issue #4, proofs a–g, speed).

Run: .venv/bin/python benchmarks/stats_calibration.py [--seed 20261001] [--out benchmarks/STATS.md]
Takes a few minutes on 2 cores. Every number in STATS.md comes from this script and its seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
import scipy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from spec_audit.stats.changepoint import date_drift, dated_detect, detect
from spec_audit.stats.clustering import design_effects
from spec_audit.stats.compare import (
    chi_square,
    ks,
    mann_whitney,
    power,
    step_for_power,
    two_proportion,
)
from spec_audit.stats.drift import test_family
from spec_audit.stats.multiplicity import bh
from spec_audit.stats.prevalence import corrected_prevalence

ALPHA = 0.05
REPS = 10_000


def false_alarms_proportions(rng: np.random.Generator) -> list[dict[str, object]]:
    """(a) A/A comparisons of two equal rates: share with p < α, per rate × size."""
    rows = []
    for p in (0.01, 0.05, 0.1, 0.3, 0.5):
        for n in (200, 1000, 5000):
            k_a, k_b = rng.binomial(n, p, REPS), rng.binomial(n, p, REPS)
            tests = two_proportion(k_a, np.full(REPS, n), k_b, np.full(REPS, n))
            for test in ("z", "fisher"):
                used = tests.filter(pl.col("test") == test)
                if used.height >= REPS // 10:
                    rows.append(
                        {"test": test, "rate": p, "n per group": n, "comparisons": used.height,
                         "false alarms": float((used["p_value"] < ALPHA).mean())}
                    )  # fmt: skip
    return rows


def false_alarms_other(rng: np.random.Generator) -> list[dict[str, object]]:
    """(a) A/A for chi-square (category mix), Mann–Whitney and KS (continuous scores)."""
    rows = []
    mix = np.array([0.5, 0.25, 0.15, 0.1])
    for n in (100, 400):
        p = [
            chi_square(rng.multinomial(n, mix, size=3), resamples=199).p_value for _ in range(REPS)
        ]
        rows.append({"test": "chi_square (3 groups × 4 categories)", "n per group": n,
                     "comparisons": REPS, "false alarms": float(np.mean(np.array(p) < ALPHA))})  # fmt: skip
    # Unequal group sizes: with equal sizes the KS distance takes few values and is conservative.
    for n in (40, 200):
        a, b = rng.lognormal(0, 1, (REPS, n)), rng.lognormal(0, 1, (REPS, n * 13 // 10 + 1))
        p_mw = [mann_whitney(x, y).p_value for x, y in zip(a, b, strict=True)]
        p_ks = [ks(x, y, resamples=1).p_value for x, y in zip(a, b, strict=True)]
        for name, p in (("mann_whitney", p_mw), ("ks", p_ks)):
            rows.append({"test": f"{name} (continuous scores)", "n per group": f"{n} / {n * 13 // 10 + 1}",
                         "comparisons": REPS, "false alarms": float(np.mean(np.array(p) < ALPHA))})  # fmt: skip
    return rows


def power_check(rng: np.random.Generator) -> list[dict[str, object]]:
    """(b) Injected shifts: simulated power of the z-test against its theoretical power."""
    rows = []
    for p_a in (0.05, 0.2):
        for delta in (0.01, 0.02, 0.03):
            for n in (1000, 3000):
                k_a, k_b = rng.binomial(n, p_a, REPS), rng.binomial(n, p_a + delta, REPS)
                tests = two_proportion(k_a, np.full(REPS, n), k_b, np.full(REPS, n))
                simulated = float((tests["p_value"] < ALPHA).mean())
                theory = float(power(p_a, p_a + delta, n, n, ALPHA))
                rows.append({"rate before": p_a, "shift": delta, "n per group": n,
                             "simulated power": simulated, "theoretical power": theory,
                             "difference": simulated - theory})  # fmt: skip
    return rows


def fdr_check(rng: np.random.Generator, families: int = 5000) -> dict[str, object]:
    """(c) Families of 100 tests, 10 with a true shift: BH false discovery rate at q = α."""
    m, shifted, n = 100, 10, 2000
    p_a = np.full((families, m), 0.1)
    p_b = p_a.copy()
    p_b[:, :shifted] = 0.13
    k_a, k_b = rng.binomial(n, p_a), rng.binomial(n, p_b)
    tests = two_proportion(k_a.ravel(), np.full(k_a.size, n), k_b.ravel(), np.full(k_b.size, n))
    p = tests["p_value"].to_numpy().reshape(families, m)
    q = np.vstack([bh(row) for row in p])
    discoveries = q < ALPHA
    false = discoveries[:, shifted:].sum(axis=1)
    fdp = false / np.maximum(discoveries.sum(axis=1), 1)
    return {"families": families, "tests per family": m, "true shifts": shifted,
            "shift": "0.10 → 0.13, 2,000 turns per group", "q": ALPHA,
            "false discovery rate": float(fdp.mean()),
            "power (true shifts found)": float(discoveries[:, :shifted].mean()),
            "uncorrected false alarms per family": float((p[:, shifted:] < ALPHA).sum(axis=1).mean())}  # fmt: skip


def change_point_check(
    rng: np.random.Generator, families: int = 20, size: int = 50, shifted: int = 5
) -> list[dict[str, object]]:
    """(d) Families of series like an audit's (a few shifted by 3 points at 2,000 turns a day).

    Returns per base rate: shifts found and dated within 2 days, the false discovery rate over
    the families (BH on the simulated CUSUM p-values), and how often the p-value of a series
    without a shift falls at or below 0.05, 0.01 and 0.001 (calibration of the simulated tail).
    """
    days, start = 28, 24
    reference = np.arange(days) < 21
    n = np.full((size, days), 2000)
    rows = []
    for p0 in (0.02, 0.05, 0.1, 0.3):
        p = np.full((size, days), p0)
        p[:shifted, start:] += 0.03
        up, error, fdp, null_p = [], [], [], []
        for _ in range(families):
            found = detect(rng.binomial(n, p), n, reference, seed=int(rng.integers(1 << 31)))
            direction = found["direction"].to_numpy()
            found_up = direction[:shifted] == "up"
            up.append(found_up)
            error.append(np.where(found_up, np.abs(found["start_index"][:shifted] - start), 99))
            discoveries = found["direction"].is_not_null().to_numpy()
            fdp.append(discoveries[shifted:].sum() / max(discoveries.sum(), 1))
            null_p.append(found["p_value"].to_numpy()[shifted:])
        up, error, null_p = np.concatenate(up), np.concatenate(error), np.concatenate(null_p)
        rows.append({"rate before": p0, "rate after": p0 + 0.03,
                     "families x series (shifted)": f"{families} x {size} ({shifted})",
                     "detected (up)": float(up.mean()),
                     "start within 2 days": float((error <= 2).mean()),
                     "median start error (days)": float(np.median(error[up])),
                     "false discovery rate": float(np.mean(fdp)),
                     "s.e.": float(np.std(fdp, ddof=1) / np.sqrt(len(fdp))),
                     "null p ≤ 0.05": float((null_p <= 0.05).mean()),
                     "null p ≤ 0.01": float((null_p <= 0.01).mean()),
                     "null p ≤ 0.001": float((null_p <= 0.001).mean())})  # fmt: skip
    return rows


def dating_check(
    rng: np.random.Generator,
    families: int = 40,
    size: int = 30,
    shifted: int = 3,
    simulations: int = 1000,
) -> list[dict[str, object]]:
    """(g) Since when: families of series like an audit's (30 days, the last 7 current, 50 turns a
    day), a few with a rise the window drift test finds with power 0.92 at the level BH gives the
    family (0.05 x shifted / size). Each family runs the drift tests (``test_family``) and the
    change points (``detect``, ``simulations`` null series each); ``date_drift`` dates each
    regression as ``spec-audit run`` does.
    Returns per base rate and change day: the share of shifted series found regressed, the share
    of those dated within 2 days of the true start, and the share dated by a change point."""
    days, split, per_day = 30, 23, 50
    n = np.full((size, days), per_day)
    level = ALPHA * shifted / size
    first = dt.date(2026, 10, 1)
    rows = []
    for p0 in (0.05, 0.15):
        for start in (13, 19, 23, 26):
            after = step_for_power(n[0], split, start, p0, level, 0.92)
            p = np.full((size, days), p0)
            p[:shifted, start:] = after
            found, off, by_point = [], [], []
            for _ in range(families):
                k = rng.binomial(n, p)
                ids = [f"c{i}" for i in range(size)]
                pairs = pl.DataFrame({
                    "comparison": "window", "clause_id": ids, "model_b": "m",
                    "a_violations": k[:, :split].sum(1), "a_applicable": n[:, :split].sum(1),
                    "b_violations": k[:, split:].sum(1), "b_applicable": n[:, split:].sum(1),
                })  # fmt: skip
                tested = test_family(pairs)
                changes = dated_detect(
                    k, n, np.arange(days) < split, first,
                    simulations=simulations, seed=int(rng.integers(1 << 31)),
                ).with_columns(clause_id=pl.Series(ids), model=pl.lit("m"))  # fmt: skip
                dated = date_drift(tested, changes).head(shifted)
                regressed = (dated["verdict"] == "regressed").to_numpy()
                found.append(regressed)
                start_index = dated.select(
                    (pl.col("start_day") - pl.lit(first)).dt.total_days().fill_null(-99)
                ).to_series()
                off.append(np.abs(start_index.to_numpy() - start)[regressed])
                by_point.append((dated["dated_by"] == "change point").to_numpy()[regressed])
            found, off, by_point = (np.concatenate(x) for x in (found, off, by_point))
            rows.append({"rate before": p0, "rate after": round(after, 4),
                         "first changed day": f"{start + 1} of {days}",
                         "drift power (theory)": 0.92,
                         "shifted series": found.size,
                         "found regressed": float(found.mean()),
                         "dated within 2 days (of found)": float((off <= 2).mean()),
                         "dated by a change point": float(by_point.mean())})  # fmt: skip
    return rows


#: Turns per conversation (1 to 4), as the sample generator draws them (deployment.yaml).
TURNS = np.array([0.42, 0.30, 0.16, 0.12])


def clumped_days(
    rng: np.random.Generator, p: np.ndarray, conversations: int, rho: float
) -> dict[str, np.ndarray]:
    """Return daily counts and conversation sums (series x days) of turns clumped in conversations.

    Each conversation has 1 to 4 turns (``TURNS``) and its own violation rate, drawn from a beta
    distribution with mean ``p`` (series x days) and intra-conversation correlation ``rho``.
    """
    shape = (*p.shape, conversations)
    sizes = rng.choice(4, size=shape, p=TURNS) + 1
    spread = 1 / rho - 1
    rate = rng.beta(p[..., None] * spread, (1 - p[..., None]) * spread, size=shape)
    k = rng.binomial(sizes, rate)
    return {"conversations": np.full(p.shape, float(conversations)),
            "applicable": sizes.sum(-1).astype(float), "violations": k.sum(-1).astype(float),
            "s_nn": (sizes * sizes).sum(-1).astype(float), "s_kk": (k * k).sum(-1).astype(float),
            "s_kn": (k * sizes).sum(-1).astype(float)}  # fmt: skip


def day_design_effects(days: dict[str, np.ndarray], used: np.ndarray) -> np.ndarray:
    """Return per series (rows) the design effect over the ``used`` days (``design_effects``)."""
    series = days["applicable"].shape[0]
    long = pl.DataFrame(
        {"series": np.repeat(np.arange(series), used.sum()),
         "day": np.tile(np.flatnonzero(used), series)}
        | {name: values[:, used].ravel() for name, values in days.items()}
    )  # fmt: skip
    return design_effects(long, ["series"]).sort("series")["design_effect"].to_numpy()


def clumped_check(
    rng: np.random.Generator, families: int = 20, size: int = 50, shifted: int = 5
) -> list[dict[str, object]]:
    """(f) Turns clumped in conversations: window tests and change points with the design effects
    estimated from the conversations as in production (the baseline and the current days for the
    window test, the whole window for the change points), against the same tests reading every
    turn as independent.

    Families as in (d), 28 days with the first 21 the reference/baseline, 600 conversations a day
    (about 1,200 turns), the first ``shifted`` series of each family 3 points higher from day 24.
    """
    days, start, conversations, rho = 28, 24, 600, 0.5
    reference = np.arange(days) < 21
    rows = []
    for p0 in (0.05, 0.2):
        p = np.full((size, days), p0)
        p[:shifted, start:] += 0.03
        found = {"design effects": [], "independent turns": []}
        window_p = {"design effects": [], "independent turns": []}
        deff = []
        for _ in range(families):
            counts = clumped_days(rng, p, conversations, rho)
            k, n = counts["violations"], counts["applicable"]
            # As in production: change points read the design effect over the whole window
            # (spec_audit.stats.changepoint), the window test each window's own (drift).
            whole = day_design_effects(counts, np.ones(days, dtype=bool))
            deff.append(whole)
            window = {"design effects": (day_design_effects(counts, reference),
                                         day_design_effects(counts, ~reference)),
                      "independent turns": (1.0, 1.0)}  # fmt: skip
            effects = {"design effects": whole, "independent turns": np.ones(size)}
            seed = int(rng.integers(1 << 31))
            for name, effect in effects.items():
                found[name].append(detect(k, n, reference, seed=seed, design_effect=effect))
                window_p[name].append(two_proportion(
                    k[:, reference].sum(1), n[:, reference].sum(1),
                    k[:, ~reference].sum(1), n[:, ~reference].sum(1),
                    design_a=window[name][0], design_b=window[name][1],
                )["p_value"].to_numpy()[shifted:])  # fmt: skip
        deff = np.array(deff)
        for name, frames in found.items():
            directions = [f["direction"].to_numpy() for f in frames]
            null_p = np.concatenate([f["p_value"].to_numpy()[shifted:] for f in frames])
            fdp = [
                (d[shifted:] != None).sum() / max((d != None).sum(), 1)  # noqa: E711
                for d in directions
            ]
            up = np.concatenate([d[:shifted] == "up" for d in directions])
            error = np.concatenate([
                np.where(d[:shifted] == "up", np.abs(f["start_index"][:shifted] - start), 99)
                for d, f in zip(directions, frames, strict=True)
            ])  # fmt: skip
            rows.append({"rate before": p0, "tests read": name,
                         "design effect, unshifted": float(deff[:, shifted:].mean()),
                         "design effect, shifted": float(deff[:, :shifted].mean()),
                         "window A/A false alarms": float((np.concatenate(window_p[name]) < ALPHA).mean()),
                         "change points detected (up)": float(up.mean()),
                         "start within 2 days": float((error <= 2).mean()),
                         "false discovery rate": float(np.mean(fdp)),
                         "s.e.": float(np.std(fdp, ddof=1) / np.sqrt(len(fdp))),
                         "null p ≤ 0.05": float((null_p <= 0.05).mean()),
                         "null p ≤ 0.01": float((null_p <= 0.01).mean())})  # fmt: skip
    return rows


def coverage_check(rng: np.random.Generator, reps: int = 1000) -> list[dict[str, object]]:
    """(e) Coverage of the 95% corrected-rate interval for the true prevalence."""
    rows = []
    n, n_pos, n_neg = 2000, 200, 1000
    for prevalence in (0.01, 0.05, 0.2):
        for se, sp in ((0.7, 0.95), (0.9, 0.99)):
            apparent = prevalence * se + (1 - prevalence) * (1 - sp)
            k = rng.binomial(n, apparent, reps)
            se_hat = rng.binomial(n_pos, se, reps) / n_pos
            sp_hat = rng.binomial(n_neg, sp, reps) / n_neg
            _, low, high = corrected_prevalence(
                k, n, se_hat, sp_hat, n_pos, n_neg, draws=2000, seed=int(rng.integers(1 << 31))
            )
            covered = (low <= prevalence) & (prevalence <= high)
            rows.append({"prevalence": prevalence, "sensitivity": se, "specificity": sp,
                         "turns": n, "labelled violations": n_pos, "labelled compliant": n_neg,
                         "coverage": float(covered.mean())})  # fmt: skip
    return rows


def speed_check(rng: np.random.Generator, tests: int = 10_000) -> dict[str, object]:
    """(9) One audit's family of 10,000 tests (z, Fisher and insufficient mixed), timed."""
    n_a, n_b = rng.integers(5, 20_000, tests), rng.integers(5, 20_000, tests)
    rates = rng.choice([0.001, 0.01, 0.05, 0.2], tests)
    pairs = pl.DataFrame(
        {"a_applicable": n_a, "a_violations": rng.binomial(n_a, rates),
         "b_applicable": n_b, "b_violations": rng.binomial(n_b, rates),
         "comparison": rng.choice(["window", "model"], tests)}
    )  # fmt: skip
    timings = []
    for _ in range(5):
        began = time.perf_counter()
        tested = test_family(pairs)
        timings.append(time.perf_counter() - began)
    mix = dict(tested.group_by("test").len().iter_rows())
    return {"tests": tests, "best of 5 (s)": min(timings), "median of 5 (s)": float(np.median(timings)),
            "z": mix.get("z", 0), "fisher": mix.get("fisher", 0), "insufficient": mix.get("none", 0)}  # fmt: skip


def table(rows: list[dict[str, object]]) -> str:
    """Return a Markdown table of ``rows`` (floats to 4 significant figures)."""
    columns = list(rows[0])

    def cell(value: object) -> str:
        return (
            f"{value:.4g}"
            if isinstance(value, float)
            else f"{value:,}"
            if isinstance(value, int)
            else str(value)
        )

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(r[c]) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "**pass**" if ok else "**FAIL**"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20261001)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "STATS.md")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    began = time.perf_counter()
    a_rates, a_other = false_alarms_proportions(rng), false_alarms_other(rng)
    b, c, d, e, speed = (power_check(rng), fdr_check(rng), change_point_check(rng),
                         coverage_check(rng), speed_check(rng))  # fmt: skip
    f = clumped_check(rng)
    g = dating_check(rng)
    elapsed = time.perf_counter() - began
    band = (0.8 * ALPHA, 1.2 * ALPHA)
    z_ok = all(band[0] <= r["false alarms"] <= band[1] for r in a_rates if r["test"] == "z")
    fisher_ok = all(r["false alarms"] <= band[1] for r in a_rates if r["test"] == "fisher")
    other_ok = all(band[0] <= r["false alarms"] <= band[1] for r in a_other)
    b_ok = all(abs(r["difference"]) <= 0.05 for r in b)
    c_ok = c["false discovery rate"] <= ALPHA
    d_ok = all(r["start within 2 days"] >= 0.9 for r in d)
    # Pooled over the base rates (equal numbers of families and series each): the FDR must not
    # exceed q beyond twice its Monte Carlo standard error, the null p-values not 1.2 x a level.
    d_fdr = float(np.mean([r["false discovery rate"] for r in d]))
    d_se = float(np.sqrt(np.sum([r["s.e."] ** 2 for r in d])) / len(d))
    d_null = {
        lv: float(np.mean([r[f"null p ≤ {lv}"] for r in d])) for lv in ("0.05", "0.01", "0.001")
    }
    d_tail = all(share <= 1.2 * float(lv) for lv, share in d_null.items())
    e_ok = all(r["coverage"] >= 0.93 for r in e)
    # (f) with design effects: each share within two Monte Carlo standard errors of its level.
    f_rows = [r for r in f if r["tests read"] == "design effects"]
    f_null = 20 * 45  # null series per rate: families x unshifted series

    def within(share: float, level: float) -> bool:
        return share <= level + 2 * np.sqrt(level * (1 - level) / f_null)

    f_window = all(
        abs(r["window A/A false alarms"] - ALPHA) <= 2 * np.sqrt(ALPHA * (1 - ALPHA) / f_null)
        for r in f_rows
    )
    f_fdr = all(r["false discovery rate"] - 2 * r["s.e."] <= ALPHA for r in f_rows)
    f_tail = all(
        within(r["null p ≤ 0.05"], 0.05) and within(r["null p ≤ 0.01"], 0.01) for r in f_rows
    )
    g_ok = all(r["dated within 2 days (of found)"] >= 0.85 for r in g)
    speed_ok = speed["best of 5 (s)"] < 1
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parent).stdout.strip() or "unknown"  # fmt: skip
    machine = f"{platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs"
    text = f"""# Statistics calibration (issue #4)

Written by `benchmarks/stats_calibration.py`; rerun it to reproduce every number
(`.venv/bin/python benchmarks/stats_calibration.py --seed {args.seed}`).

- date: {dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}
- commit: `{commit}`
- seed: {args.seed}
- machine: {machine}
- Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, polars {pl.__version__}
- run time: {elapsed:.0f} s
- α = {ALPHA}; A/A band [0.8α, 1.2α] = [{band[0]:.3f}, {band[1]:.3f}]

## Summary

| proof | claim | result |
|---|---|---|
| (a) | z-test false alarms within [0.8α, 1.2α] (every expected count ≥ 5) | {verdict(z_ok)} |
| (a) | Fisher's exact test (small expected counts) false alarms ≤ 1.2α (conservative by construction) | {verdict(fisher_ok)} |
| (a) | chi-square, Mann–Whitney, KS false alarms within [0.8α, 1.2α] | {verdict(other_ok)} |
| (b) | simulated power within 0.05 of the two-proportion test's theoretical power | {verdict(b_ok)} |
| (c) | BH false discovery rate ≤ q (100 tests, 10 true shifts) | {verdict(c_ok)} ({c["false discovery rate"]:.4f}) |
| (d) | 3-point shift at 2,000 turns/day: start found within 2 days in ≥ 90% of series | {verdict(d_ok)} |
| (d) | change points: false discovery rate over the family ≤ q (within 2 Monte Carlo s.e.) | {verdict(d_fdr - 2 * d_se <= ALPHA)} ({d_fdr:.4f} ± {d_se:.4f}) |
| (d) | change points: null p-values ≤ 1.2 × level at 0.05, 0.01, 0.001 (pooled over rates) | {verdict(d_tail)} ({", ".join(f"{v:.4f}" for v in d_null.values())}) |
| (f) | turns clumped in conversations, design effects: window A/A false alarms within 2 s.e. of α | {verdict(f_window)} |
| (f) | turns clumped in conversations, design effects: change-point FDR ≤ q (within 2 s.e.) | {verdict(f_fdr)} |
| (f) | turns clumped in conversations, design effects: null p ≤ level (+2 s.e.) at 0.05, 0.01 | {verdict(f_tail)} |
| (g) | regressions the drift test finds (power 0.92) dated within 2 days in ≥ 85% of those found, every change day | {verdict(g_ok)} (lowest {min(r["dated within 2 days (of found)"] for r in g):.3f}) |
| (e) | corrected-rate 95% interval coverage ≥ 93% | {verdict(e_ok)} (lowest {min(r["coverage"] for r in e):.3f}) |
| (9) | 10,000 tests in under one second | {verdict(speed_ok)} ({speed["best of 5 (s)"]:.3f} s) |

## (a) False alarms in A/A comparisons

Two groups drawn at the same rate, {REPS:,} comparisons per row; `two_proportion` chooses the test
(z when every expected count is ≥ 5, else Fisher), rows list each test used by at least 10% of
them. Fisher's test is exact but discrete, so its false-alarm rate sits below α at small counts.

{table(a_rates)}

Category mixes and continuous scores (chi-square: 3 groups of a 4-category mix; Mann–Whitney and
KS: log-normal scores):

{table(a_other)}

## (b) Power with injected shifts

{REPS:,} comparisons per row; theoretical power is the normal-theory power of the pooled
two-proportion z-test (`spec_audit.stats.compare.power`).

{table(b)}

## (c) Benjamini–Hochberg false discovery rate

{table([c])}

## (d) Change points

28-day window, the first 21 days the reference (baseline), 2,000 applicable turns a day. Each
family is one audit: 50 series, 5 of them with a 3-point rise from day 24. Each series' CUSUM
maxima get a p-value from 2,000 simulated in-control series (the series' total violations dealt
out over its days at random; exponential tail beyond the simulated 90th percentile), the two
directions are combined as 2·min(p_up, p_down), and a change point is reported where the
Benjamini–Hochberg q-value over the family is below 0.05. "false discovery rate" is the mean share of reported change points in series without a shift; the "null p" columns
are how often a series without a shift gets a p-value at or below each level (calibration of the
simulated null and its tail; conservative is below the level).

{table(d)}

## (f) Turns clumped in conversations

Turns of one conversation share its topic and wording, so a labeller's verdicts on them agree
more often than chance: violations come in clumps, and counts vary from day to day more than
binomial counts. Here each day has 600 conversations of 1 to 4 turns (the generator's mix), each
conversation with its own violation rate (beta, mean the series' rate, intra-conversation
correlation 0.5); families as in (d) (28 days, the first 21 the baseline and reference, 50 series,
5 with a 3-point rise from day 24). "design effects" rows divide each series' counts by its
Rao–Scott design effect estimated from the conversations (`spec_audit.stats.clustering`), as
production does: the baseline days for the baseline window, the current days for the current
window, the whole window for the change points; "independent turns" rows read every turn as
independent, as the tests did before. "design effect, unshifted / shifted" is the mean whole-window
design effect of the series without and with a shift: residuals are centred within each day, so
the shift does not inflate it. "window A/A false alarms" is the share of series without a shift
whose baseline-vs-current z-test (or Fisher) has p < α.

{table(f)}

## (g) Since when: dating the drift tests' regressions

30-day window, the last 7 days current, 50 applicable turns a day; each family is one audit of
30 series, 3 of them with a rise from the day shown to the rate that the window drift test
(baseline against current days) finds with power 0.92 at the level Benjamini–Hochberg gives the
family (0.05 × 3 / 30). Each family runs the drift tests and the change points (1,000 simulated
null series per series), and `date_drift` dates each regression: by the change point the CUSUM
found in the same direction, else by the likeliest day of a single rise over the window. "found
regressed" is the share of shifted series with verdict regressed (about the theoretical power);
"dated within 2 days" is over those found; "dated by a change point" is the share of them the
CUSUM confirmed. A change on the first current day is the hardest to date: it is the smallest
change the drift test finds with that power.

{table(g)}

## (e) Corrected-rate interval coverage

1,000 replicates per row: k flagged turns of 2,000, sensitivity and specificity estimated from
labelled samples each replicate; Rogan–Gladen estimate with the 95% parametric-bootstrap interval.

{table(e)}

## Speed

{table([speed])}
"""
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
