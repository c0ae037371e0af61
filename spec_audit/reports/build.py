"""Collect a compliance report's data from the published snapshot into one JSON-ready structure.

``build_report`` reads only the snapshot connection it is given and returns a ``Report``: its
``body`` is exactly what ``report.json`` holds (schema ``schemas/report.schema.json``) and what
the HTML and PDF show; ``violations`` is the findings CSV. Everything is sorted, floats are
rounded to 6 significant digits, and the only time in the body is the manifest's explicit
generation time, so the same snapshot and parameters give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import polars as pl

from spec_audit.errors import UserError
from spec_audit.reports import narrative
from spec_audit.reports.evidence import EXAMPLES_PER_CLAUSE, examples
from spec_audit.reports.manifest import build_manifest
from spec_audit.reports.method import limitations, method
from spec_audit.reports.scope import Scope
from spec_audit.reports.statistics import PARAMETERS, report_statistics, report_window
from spec_audit.spec.catalog import Catalog
from spec_audit.stats.intervals import wilson
from spec_audit.stats.prevalence import CORRECTED, NOT_MEASURED, UNINFORMATIVE, corrected_prevalence
from spec_audit.store import query

#: Version of the JSON document; bump the major part when a field changes meaning or goes away.
SCHEMA_VERSION = "1.0.0"
_DIGITS = 6


@dataclass(frozen=True)
class Report:
    """A built report: the JSON body every format renders, and the violation findings for CSV."""

    body: dict[str, Any]
    violations: pl.DataFrame


def plain(value: Any) -> Any:
    """Return ``value`` made JSON-ready and stable: dates as ISO text, floats to 6 significant digits.

    >>> plain({"b": 1 / 3, "a": [dt.date(2026, 10, 1), float("nan")]})
    {'b': 0.333333, 'a': ['2026-10-01', None]}
    """
    if isinstance(value, float | np.floating):
        value = float(value)
        return None if not math.isfinite(value) else float(f"{value:.{_DIGITS}g}")
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def build_report(
    con: duckdb.DuckDBPyConnection,
    catalog: Catalog,
    *,
    start: dt.date,
    end: dt.date,
    models: tuple[str, ...] = (),
    examples_per_clause: int = EXAMPLES_PER_CLAUSE,
    generated_at: str,
    snapshot: Path,
) -> Report:
    """Return the report on [start, end] for ``models`` (empty = all) under ``catalog``'s version."""
    if end < start:
        raise UserError(f"--from {start} --to {end}: the end is before the start")
    scope = Scope(start, end, tuple(sorted(set(models))), catalog.spec_id, catalog.version)
    _check_scope(con, scope)
    stats = report_statistics(con, catalog, report_window(start, end), scope.models)
    clauses = _clauses(con, catalog, scope, stats)
    drift = stats.drift.filter(pl.col("verdict").is_in(["regressed", "improved"]))
    shown = [
        (c["clause_id"], _why(c)) for c in clauses if c["violations"] or c["drift"]["regressed"]
    ]
    inputs = scope.run(con, "inputs").to_dicts()
    parameters = {
        "from": start,
        "to": end,
        "models": list(scope.models),
        "spec": f"{catalog.spec_id}@{catalog.version}",
        "examples_per_clause": examples_per_clause,
        **PARAMETERS,
    }
    body = {
        "schema_version": SCHEMA_VERSION,
        "title": f"Compliance report: {catalog.title}, {start} to {end}",
        "scope": _scope(con, catalog, scope),
        "clauses": clauses,
        "drift": {
            "window": {
                "baseline_start": stats.window.baseline_start,
                "baseline_end": stats.window.baseline_end,
                "current_start": stats.window.current_start,
                "current_end": stats.window.end,
            },
            "significant": _records(drift),
            "tests": stats.drift.height,
        },
        "quadrant": _quadrant(con, scope),
        "disparity": _records(stats.disparity.drop("window_start", "window_end", strict=False)),
        "evidence_examples": examples(con, scope, shown, examples_per_clause),
        "data_quality": _data_quality(con, scope, inputs),
        "method": method(con, catalog, stats),
        "limitations": limitations(con, catalog, scope, clauses),
        "manifest": build_manifest(
            snapshot=snapshot,
            catalog=catalog,
            inputs=inputs,
            parameters=parameters,
            generated_at=generated_at,
        ),
    }
    body = plain(body)
    body["executive_summary"] = narrative.summary(body)
    return Report(body=body, violations=scope.run(con, "violations"))


def _check_scope(con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """Raise UserError when the scope names an unknown model or holds no audited turn."""
    known = [r[0] for r in con.execute("SELECT DISTINCT model FROM turns ORDER BY 1").fetchall()]
    unknown = sorted(set(scope.models) - set(known))
    if unknown:
        raise UserError(
            f"--model {unknown[0]}: no such model in the database (models: {', '.join(known)})"
        )
    measured = scope.run(con, "clause_totals")
    if measured.is_empty():
        turns = scope.run(con, "scope")["turns"].sum()
        why = (
            f"no turns were ingested between {scope.start} and {scope.end}"
            if not turns
            else f"the turns of {scope.start}..{scope.end} were not audited under "
            f"{scope.spec_id}@{scope.spec_version}; run `spec-audit run --spec "
            f"{scope.spec_version} --no-ingest` first"
        )
        raise UserError(f"nothing to report: {why}")


def _records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [dict(sorted(row.items())) for row in frame.to_dicts()]


def _why(clause: Mapping[str, Any]) -> str:
    if clause["violations"] and clause["drift"]["regressed"]:
        return "violated and regressed"
    return "violated" if clause["violations"] else "regressed"


def _scope(con: duckdb.DuckDBPyConnection, catalog: Catalog, scope: Scope) -> dict[str, Any]:
    surfaces = scope.run(con, "scope")
    models = con.execute(
        "SELECT DISTINCT model FROM turns WHERE day BETWEEN ? AND ? ORDER BY model",
        [scope.start, scope.end],
    ).fetchall()
    in_scope = [m for (m,) in models if not scope.models or m in scope.models]
    findings = scope.run(con, "clause_totals")
    return {
        "period": {"from": scope.start, "to": scope.end, "days": scope.days},
        "models": in_scope,
        "model_selection": list(scope.models) or "all",
        "surfaces": surfaces.to_dicts(),
        "conversations": int(surfaces["conversations"].sum()),
        "turns": int(surfaces["turns"].sum()),
        "scored_findings": int(findings["applicable"].sum()),
        "spec": {
            "spec_id": catalog.spec_id,
            "version": catalog.version,
            "title": catalog.title,
            "source_url": catalog.source.get("url"),
            "catalog_sha256": catalog.sha256,
            "clauses": len(catalog.clauses),
            "testable": len(catalog.testable),
        },
    }


def _clauses(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, scope: Scope, stats: Any
) -> list[dict[str, Any]]:
    """Return one entry per testable clause: counts, rate, corrected rate, drift, trend."""
    totals = {r["clause_id"]: r for r in scope.run(con, "clause_totals").to_dicts()}
    daily = scope.run(con, "clause_daily").filter(pl.col("applicable") > 0)
    accuracy = {r["clause_id"]: r for r in stats.accuracy.to_dicts()}
    window = stats.drift.filter(pl.col("comparison") == "window")
    changes = stats.change_points.filter(pl.col("direction").is_not_null())
    entries = []
    # Testable in the base catalog, or made testable by an overlay for the turns it selects.
    measured = [c for c in catalog.clauses if c.testable or c.id in totals]
    for clause in measured:  # one entry per clause of the catalog: tens, not data rows
        total = totals.get(clause.id, {"applicable": 0, "violations": 0, "unscored": 0})
        k, n = int(total["violations"]), int(total["applicable"])
        low, high = (float(x[0]) for x in wilson(np.array([k]), np.array([n])))
        trend = daily.filter(pl.col("clause_id") == clause.id)
        t_low, t_high = wilson(trend["violations"].to_numpy(), trend["applicable"].to_numpy())
        entries.append(
            {
                "clause_id": clause.id,
                "title": clause.title,
                "chapter": clause.chapter,
                "layer": clause.layer,
                "authority": clause.authority,
                "severity": clause.severity,
                "kind": clause.kind,
                "applicable": n,
                "violations": k,
                "unscored": int(total["unscored"]),
                "rate": k / n if n else None,
                "ci_low": max(0.0, low) if n else None,
                "ci_high": min(1.0, high) if n else None,
                "corrected": _corrected(k, n, accuracy.get(clause.id)),
                "drift": _drift(window.filter(pl.col("clause_id") == clause.id)),
                "change_points": changes.filter(pl.col("clause_id") == clause.id)
                .select("model", "direction", "start_day", "alarm_day", "rate_before", "rate_after")
                .to_dicts(),
                "trend": trend.select(
                    "day",
                    "applicable",
                    "violations",
                    rate=pl.col("violations") / pl.col("applicable"),
                    ci_low=pl.Series(t_low).clip(0.0, 1.0),
                    ci_high=pl.Series(t_high).clip(0.0, 1.0),
                ).to_dicts(),
            }
        )
    return sorted(
        plain(entries),
        key=lambda c: (c["rate"] is None, -(c["rate"] or 0.0), c["clause_id"]),
    )


def _corrected(k: int, n: int, measured: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return the Rogan–Gladen corrected rate of k of n, or why it is not corrected."""
    if measured is None:
        return {"rate": None, "low": None, "high": None, "note": NOT_MEASURED}
    se, sp = measured["sensitivity"], measured["specificity"]
    estimate, low, high = corrected_prevalence(
        k, n, se, sp, measured["n_pos"], measured["n_neg"], seed=PARAMETERS["seed"]
    )
    note = CORRECTED if se + sp > 1 else UNINFORMATIVE
    return {"rate": estimate[0], "low": low[0], "high": high[0], "note": note}


def _drift(rows: pl.DataFrame) -> dict[str, Any]:
    """Return a clause's headline drift verdict: a regression first, then an improvement, else
    the smallest q-value, with every model's row for the detail."""
    detail = rows.select(
        "model_b", "verdict", "a_rate", "b_rate", "effect", "effect_low", "effect_high",
        "p_value", "q_value", "test",
    ).rename({"model_b": "model"}).sort("model")  # fmt: skip
    order = {"regressed": 0, "improved": 1, "no change": 2}
    ranked = sorted(
        detail.to_dicts(),
        key=lambda r: (order.get(r["verdict"], 3), r["q_value"] is None, r["q_value"] or 0.0),
    )
    head = ranked[0] if ranked else None
    return {
        "verdict": head["verdict"] if head else "insufficient data",
        "model": head["model"] if head else None,
        "q_value": head["q_value"] if head else None,
        "effect": head["effect"] if head else None,
        "regressed": any(r["verdict"] == "regressed" for r in ranked),
        "models": detail.to_dicts(),
    }


def _quadrant(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict[str, Any]:
    rows = scope.run(con, "quadrant")
    by_intent = {r["prompt_intent"]: r for r in rows.to_dicts()}
    benign = by_intent.get("benign", {"complied": 0, "refused": 0})
    harmful = by_intent.get("harmful", {"complied": 0, "refused": 0})
    benign_n = benign["complied"] + benign["refused"]
    harmful_n = harmful["complied"] + harmful["refused"]
    return {
        "rows": rows.to_dicts(),
        "over_refusals": benign["refused"],
        "benign_replies": benign_n,
        "over_refusal_rate": benign["refused"] / benign_n if benign_n else None,
        "under_refusals": harmful["complied"],
        "harmful_replies": harmful_n,
        "under_refusal_rate": harmful["complied"] / harmful_n if harmful_n else None,
    }


def _data_quality(
    con: duckdb.DuckDBPyConnection, scope: Scope, inputs: list[dict[str, Any]]
) -> dict[str, Any]:
    hashes = [r["source_sha256"] for r in inputs]
    rejected = con.execute(
        "SELECT reason, count(*)::BIGINT AS records FROM rejected_records "
        "WHERE list_contains(?::VARCHAR[], source_sha256) GROUP BY reason ORDER BY reason",
        [hashes],
    ).fetchall()
    undated = con.execute(
        "SELECT count(*) FROM ingest_manifest m WHERE NOT EXISTS "
        "(SELECT 1 FROM conversations c WHERE c.source_sha256 = m.source_sha256)"
    ).fetchall()[0][0]
    return {
        "input_files": len(inputs),
        "rows_read": sum(r["rows_read"] for r in inputs),
        "rows_accepted": sum(r["rows_accepted"] for r in inputs),
        "rows_rejected": sum(r["rows_rejected"] for r in inputs),
        "rejected_by_reason": [{"reason": r, "records": n} for r, n in rejected],
        "files_without_accepted_records": int(undated),
        "unscored_findings": int(scope.run(con, "clause_totals")["unscored"].sum()),
        "validation": _validation(con),
    }


def _validation(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Return the newest validation run's results, or that validation has not run."""
    columns = {
        name
        for (name,) in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'validation_results'"
        ).fetchall()
    }
    wanted = {"run_id", "table_name", "expectation", "success"}
    if not columns or not wanted <= columns:
        return {"status": "not run", "run_id": None, "checks": 0, "failed": 0, "results": []}
    latest = con.execute(
        "SELECT run_id FROM validation_results ORDER BY "
        + ("run_at DESC, " if "run_at" in columns else "")
        + "run_id DESC LIMIT 1"
    ).fetchall()
    if not latest:
        return {"status": "not run", "run_id": None, "checks": 0, "failed": 0, "results": []}
    extra = [c for c in ("column_name", "unexpected_count", "severity") if c in columns]
    rows = query(
        con,
        f"SELECT table_name, expectation, success, {', '.join(extra) or 'NULL AS none'} "
        "FROM validation_results WHERE run_id = ? ORDER BY ALL",
        [latest[0][0]],
    )
    failed = rows.filter(~pl.col("success"))
    return {
        "status": "passed" if failed.is_empty() else "failed",
        "run_id": str(latest[0][0]),
        "checks": rows.height,
        "failed": failed.height,
        "results": failed.to_dicts(),  # the failures; the passes are counted
    }
