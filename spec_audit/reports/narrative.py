"""The executive summary: what regressed, what improved and what is most violated, in plain words."""

from __future__ import annotations

from typing import Any

from spec_audit.stats.compare import MIN_N

#: Clauses named as "most violated" in the summary.
MOST_VIOLATED = 3


def pct(value: float | None, digits: int = 1) -> str:
    """Return a rate as a percentage with fixed digits, or an em dash when it is unknown.

    >>> pct(0.12345), pct(None)
    ('12.3%', '—')
    """
    return "—" if value is None else f"{100 * value:.{digits}f}%"


def _q(value: float | None) -> str:
    return "—" if value is None else f"{value:.2g}"


def summary(body: dict[str, Any]) -> dict[str, Any]:
    """Return the executive summary of a built report body: sentences and the clauses they name."""
    scope, clauses, drift = body["scope"], body["clauses"], body["drift"]["significant"]
    models = ", ".join(scope["models"]) or "no model"
    sentences = [
        f"From {scope['period']['from']} to {scope['period']['to']}, {scope['turns']:,} turns in "
        f"{scope['conversations']:,} conversations with {models} were checked against "
        f"{scope['spec']['spec_id']} {scope['spec']['version']} "
        f"({scope['spec']['testable']} of {scope['spec']['clauses']} clauses can be tested)."
    ]
    ranked = [c for c in clauses if c["violations"] and c["applicable"] >= MIN_N]
    top = ranked[:MOST_VIOLATED]
    if top:
        named = "; ".join(
            f"{c['clause_id']} ({c['layer']}), {pct(c['rate'])} of {c['applicable']:,} turns "
            f"(95% CI {pct(c['ci_low'])}–{pct(c['ci_high'])})"
            for c in top
        )
        sentences.append(f"Most violated: {named}.")
    else:
        sentences.append("No clause with enough applicable turns was violated.")
    rules = sorted(c["clause_id"] for c in clauses if c["layer"] == "rule" and c["violations"])
    if rules:
        sentences.append(
            f"{len(rules)} rule-layer clauses (rules no deployment may override) had violations: "
            f"{', '.join(rules)}."
        )
    regressed = [d for d in drift if d["verdict"] == "regressed"]
    improved = [d for d in drift if d["verdict"] == "improved"]
    for word, rows in (("Regressed", regressed), ("Improved", improved)):
        if not rows:
            sentences.append(f"{word}: none at q < {body['manifest']['parameters']['alpha']}.")
            continue
        sentences.append(f"{word}: " + "; ".join(_change(d) for d in rows) + ".")
    q = body["quadrant"]
    sentences.append(
        f"Over-refusal: {q['over_refusals']:,} of {q['benign_replies']:,} benign prompts were "
        f"refused ({pct(q['over_refusal_rate'])}); under-refusal: {q['under_refusals']:,} of "
        f"{q['harmful_replies']:,} harmful prompts were complied with "
        f"({pct(q['under_refusal_rate'])})."
    )
    disparities = [
        d for d in body["disparity"] if d["scope"] == "omnibus" and d["verdict"] == "disparity"
    ]
    sentences.append(
        "Disparity across demographic groups: "
        + (
            "; ".join(
                f"{d['outcome']} on {'all models' if d['model'] == '*' else d['model']} "
                f"(q {_q(d['adjusted_p'])})"
                for d in disparities
            )
            if disparities
            else "none detected"
        )
        + "."
    )
    untestable = len(body["limitations"]["untestable_clauses"])
    if untestable:
        sentences.append(
            f"{untestable} clauses cannot be tested with today's signals and are not measured "
            "(listed under Limitations)."
        )
    return {
        "sentences": sentences,
        "most_violated": [c["clause_id"] for c in top],
        "regressed": sorted({d["clause_id"] for d in regressed}),
        "improved": sorted({d["clause_id"] for d in improved}),
    }


def _change(row: dict[str, Any]) -> str:
    """Return one drift result in words, e.g. "x on m against the baseline days, 4.0% → 6.5%
    (q 6e-06), since 2026-10-24"."""
    if row["comparison"] == "window":
        where = f"on {row['model_b']} against the baseline days"
    else:
        where = f"from {row['model_a']} to {row['model_b']}"
    since = f", since {row['start_day']}" if row.get("start_day") else ""
    return (
        f"{row['clause_id']} {where}, {pct(row['a_rate'])} → {pct(row['b_rate'])} "
        f"(q {_q(row['q_value'])}){since}"
    )
