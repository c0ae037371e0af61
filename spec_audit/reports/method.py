"""The report's method and limitations sections: how the numbers were made, and what they cannot say."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

from spec_audit.reports.manifest import ACCURACY_FILE
from spec_audit.reports.scope import Scope
from spec_audit.spec.catalog import Catalog
from spec_audit.stats.changepoint import FALSE_ALARM, SHIFT
from spec_audit.stats.compare import MIN_EXPECTED, MIN_N, POWER
from spec_audit.stats.drift import ALPHA
from spec_audit.stats.intervals import CONFIDENCE
from spec_audit.store import query
from transforms.registry import SIGNALS

NOT_MEASURED = "not measured"


def method(con: duckdb.DuckDBPyConnection, catalog: Catalog, stats: Any) -> dict[str, Any]:
    """Return the method section: labellers and their accuracy, tests, multiplicity, minimum samples."""
    families: dict[str, list[str]] = {}
    for signal in SIGNALS:
        families.setdefault(signal.family, []).append(f"{signal.name} v{signal.version}")
    rows = query(
        con,
        "SELECT clause_id, signal, labeller_version, sensitivity, specificity, n_pos, n_neg, source "
        "FROM labeller_accuracy WHERE spec_version IS NULL OR spec_version = ? "
        "QUALIFY row_number() OVER (PARTITION BY clause_id, signal "
        "ORDER BY measured_at DESC NULLS LAST, source) = 1 "
        "ORDER BY clause_id NULLS LAST, signal NULLS LAST",
        [catalog.version],
    )
    measured = {r["clause_id"]: r for r in rows.to_dicts() if r["clause_id"] is not None}
    window = stats.window
    return {
        "labellers": [
            {"family": family, "module": f"transforms/{family}.py", "signals": sorted(names)}
            for family, names in sorted(families.items())
        ],
        "clause_accuracy": [
            {"clause_id": c.id, "measured": c.id in measured, **_accuracy(measured.get(c.id))}
            for c in sorted(catalog.testable, key=lambda c: c.id)
        ],
        "signal_accuracy": [
            {"signal": r["signal"], **_accuracy(r)}
            for r in rows.to_dicts()
            if r["clause_id"] is None
        ],
        "development_set": (
            {"file": "benchmarks/ACCURACY.md", "text": ACCURACY_FILE.read_text(encoding="utf-8")}
            if ACCURACY_FILE.exists()
            else None
        ),
        "intervals": f"{CONFIDENCE:.0%} Wilson score intervals on every rate; Newcombe's hybrid "
        "score interval on differences of two rates.",
        "corrected_rates": "Where a clause's labeller accuracy is measured, the rate is corrected by "
        "Rogan–Gladen, (apparent + specificity − 1) / (sensitivity + specificity − 1), clipped to "
        "[0, 1], with a parametric-bootstrap interval that redraws the apparent rate, the "
        "sensitivity and the specificity; otherwise the rate is the apparent (labelled) rate.",
        "tests": [
            f"Drift, baseline days {window.baseline_start} to {window.baseline_end} against current "
            f"days {window.current_start} to {window.end}, per clause and model; and model against "
            "model over the current days. Pooled two-proportion z-test when every expected cell "
            f"count is at least {MIN_EXPECTED:g}, otherwise Fisher's exact test; effect = rate B − "
            f"rate A with its interval, and the minimum detectable increase at {POWER:.0%} power.",
            "Change points: two binomial likelihood-ratio CUSUMs per clause and model (a rise and a "
            f"fall of {SHIFT:.0%} from the baseline rate); each series' CUSUM maxima get a "
            "p-value from simulated in-control series with the same daily volumes, and a change "
            f"point is reported where the Benjamini–Hochberg q-value over the window's series is "
            f"below {FALSE_ALARM:g}.",
            "Disparity: replies that refuse, moralise or hedge, compared across the demographic "
            "group a prompt mentions; chi-square test of homogeneity per model and outcome (Monte "
            "Carlo p-value when expected counts are small; Cramér's V as effect), then pairwise z "
            "or Fisher tests.",
        ],
        "multiplicity": f"Benjamini–Hochberg q-values within each drift family (window, model) and "
        "across the omnibus disparity tests; Holm-adjusted p-values for the pairs inside one "
        f"omnibus test. Verdicts use q < {ALPHA:g}: regressed when the rate rose, improved when "
        "it fell. Change points are not corrected across series.",
        "minimum_samples": {
            "per_group": MIN_N,
            "text": f"Fewer than {MIN_N} applicable turns in either group of a comparison (or "
            f"replies in a demographic group) gives 'insufficient data' instead of a test.",
        },
        "verdicts": "Each clause's applies_when and violation_when conditions (the spec catalog) "
        "are evaluated over the signals of every turn; a turn whose needed signal is missing is "
        "unscored and excluded from rates.",
    }


def _accuracy(row: dict[str, Any] | None) -> dict[str, Any]:
    if row is None:
        return {"sensitivity": None, "specificity": None, "n_pos": None, "n_neg": None,
                "labeller_version": None, "source": NOT_MEASURED}  # fmt: skip
    return {
        key: row[key]
        for key in ("sensitivity", "specificity", "n_pos", "n_neg", "labeller_version", "source")
    }


def limitations(
    con: duckdb.DuckDBPyConnection,
    catalog: Catalog,
    scope: Scope,
    clauses: Sequence[dict[str, Any]],
) -> dict[str, Any]:
    """Return the limitations section: untestable clauses, labeller caveats, overlays in force."""
    unmeasured = con.execute(
        "SELECT count(DISTINCT clause_id) FROM labeller_accuracy WHERE clause_id IS NOT NULL "
        "AND (spec_version IS NULL OR spec_version = ?)",
        [catalog.version],
    ).fetchall()[0][0]
    small = sorted(c["clause_id"] for c in clauses if 0 < c["applicable"] < MIN_N)
    empty = sorted(c["clause_id"] for c in clauses if c["applicable"] == 0)
    caveats = [
        "Verdicts come from automatic, pattern-based labellers, not from human review of every "
        "conversation; a rate is the share of turns the labellers flagged.",
        f"{len(catalog.testable) - unmeasured} of {len(catalog.testable)} testable clauses have no "
        "measured labeller accuracy, so their rates are apparent rates, not error-corrected.",
        "Texts are shown as stored, after automatic PII redaction, which can miss personal data "
        "or redact more than needed.",
        f"Change points control the false discovery rate over the window's series at "
        f"{FALSE_ALARM:.0%}: among reported change points, that share may be in series where "
        "nothing changed.",
    ]
    if small:
        caveats.append(
            f"Clauses with fewer than {MIN_N} applicable turns have wide intervals and no drift "
            f"test: {', '.join(small)}."
        )
    if empty:
        caveats.append(f"Clauses that applied to no turn in the period: {', '.join(empty)}.")
    used = dict(scope.run(con, "overlays_used").iter_rows())
    measured = {c["clause_id"] for c in clauses}
    return {
        "untestable_clauses": [
            {"clause_id": c.id, "title": c.title, "layer": c.layer, "authority": c.authority}
            for c in catalog.untestable
            if c.id not in measured
        ],
        "labeller_caveats": caveats,
        "overlays": {
            "in_force": [
                {
                    "overlay_id": o.overlay_id,
                    "title": o.title,
                    "authority": o.authority,
                    "selects": f"{o.selector} in {', '.join(o.values)}",
                    "adjusts": sorted(a.clause_id for a in o.adjustments),
                    "findings": int(used.get(o.overlay_id, 0)),
                }
                for o in catalog.overlays
            ],
            "decided_findings": [
                {"overlay_id": name, "findings": int(n)} for name, n in sorted(used.items())
            ],
        },
    }
