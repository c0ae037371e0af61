"""The report's tables as CSV: the per-clause table and the violation findings of the scope."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from spec_audit.reports.build import Report

#: clauses.csv columns, in order: what the HTML table shows, flattened.
CLAUSE_SCHEMA = {
    "clause_id": pl.String, "title": pl.String, "chapter": pl.String, "layer": pl.String,
    "authority": pl.String, "severity": pl.String, "kind": pl.String, "applicable": pl.Int64,
    "violations": pl.Int64, "unscored": pl.Int64, "rate": pl.Float64, "ci_low": pl.Float64,
    "ci_high": pl.Float64, "corrected_rate": pl.Float64, "corrected_low": pl.Float64,
    "corrected_high": pl.Float64, "correction": pl.String, "drift_verdict": pl.String,
    "drift_model": pl.String, "drift_q_value": pl.Float64, "drift_effect": pl.Float64,
    "change_points": pl.String,
}  # fmt: skip


def clause_table(report: Report) -> pl.DataFrame:
    """Return the per-clause table of a report as a flat frame (one row per testable clause)."""
    rows = [
        {
            **{k: c[k] for k in list(CLAUSE_SCHEMA)[:13]},
            "corrected_rate": c["corrected"]["rate"],
            "corrected_low": c["corrected"]["low"],
            "corrected_high": c["corrected"]["high"],
            "correction": c["corrected"]["note"],
            "drift_verdict": c["drift"]["verdict"],
            "drift_model": c["drift"]["model"],
            "drift_q_value": c["drift"]["q_value"],
            "drift_effect": c["drift"]["effect"],
            "change_points": "; ".join(
                f"{p['direction']} from {p['start_day']} ({p['model']})" for p in c["change_points"]
            ),
        }
        for c in report.body["clauses"]
    ]
    return pl.DataFrame(rows, schema=CLAUSE_SCHEMA)


def write_csvs(report: Report, folder: Path) -> list[Path]:
    """Return the CSV files written in ``folder``: clauses.csv and findings.csv."""
    clauses, findings = folder / "clauses.csv", folder / "findings.csv"
    clause_table(report).write_csv(clauses)
    report.violations.write_csv(findings)
    return [clauses, findings]
