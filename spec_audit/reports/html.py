"""Render a report as one self-contained HTML page: inline CSS, inline SVG charts, no network.

The same page is the PDF's source (``spec_audit.reports.pdf``). Text is escaped by Jinja2's
autoescape; only the SVG the charts module renders is inserted as markup.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import polars as pl

from spec_audit.reports import charts
from spec_audit.reports.build import Report
from spec_audit.reports.evidence import segments
from spec_audit.reports.manifest import describe_version
from spec_audit.reports.narrative import pct

TEMPLATES = Path(__file__).resolve().parent / "templates"
ALL_MODELS = "all models"


def _num(value: int | float | None) -> str:
    return "—" if value is None else f"{value:,}"


def _pp(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:+.1f}"


def _q(value: float | None) -> str:
    return "—" if value is None else f"{value:.2g}"


def _fixed(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(num=_num, pct=pct, pp=_pp, q=_q, fixed=_fixed)
    return env


def chart_svgs(body: dict[str, Any]) -> dict[str, str]:
    """Return the report's charts rendered to SVG: clause rates, trends, refusal quadrant.

    The charts are the dashboard's definitions (``spec_audit.reports.charts``); this only shapes
    the report body into the frames they document.
    """
    clauses = body["clauses"]
    rates = pl.DataFrame(
        [{k: c[k] for k in ("clause_id", "layer", "applicable", "violations", "rate", "ci_low",
                            "ci_high")}
         for c in clauses],
        schema={"clause_id": pl.String, "layer": pl.String, "applicable": pl.Int64,
                "violations": pl.Int64, "rate": pl.Float64, "ci_low": pl.Float64,
                "ci_high": pl.Float64},
    )  # fmt: skip
    shown = {g["clause_id"] for g in body["evidence_examples"]}
    # The report's trend pools every model in scope, so its series carries one model label.
    daily = pl.DataFrame(
        [{"clause_id": c["clause_id"], "model": ALL_MODELS, **t} for c in clauses
         if c["clause_id"] in shown for t in c["trend"]],
        schema={"clause_id": pl.String, "model": pl.String, "day": pl.String,
                "applicable": pl.Int64, "violations": pl.Int64, "rate": pl.Float64,
                "ci_low": pl.Float64, "ci_high": pl.Float64},
    )  # fmt: skip
    changes = pl.DataFrame(
        [{"clause_id": c["clause_id"], "model": p["model"], "direction": p["direction"],
          "start_day": p["start_day"]}
         for c in clauses if c["clause_id"] in shown for p in c["change_points"]],
        schema={"clause_id": pl.String, "model": pl.String, "direction": pl.String,
                "start_day": pl.String},
    )  # fmt: skip
    quadrant = pl.DataFrame(
        body["quadrant"]["rows"],
        schema={"prompt_intent": pl.String, "complied": pl.Int64, "refused": pl.Int64,
                "no_reply": pl.Int64},
    )  # fmt: skip
    return {
        "rates": charts.svg(charts.clause_rates(rates), "rates-") if rates.height else "",
        "trends": charts.svg(charts.rate_over_time(daily, changes), "trends-")
        if daily.height
        else "",
        "quadrant": charts.svg(charts.refusal_quadrant(quadrant), "quadrant-")
        if quadrant.height
        else "",
    }


def _examples(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the evidence examples with their texts split into highlighted segments."""
    return [
        {
            **group,
            "examples": [
                {
                    **e,
                    "user_segments": segments(e["user_text"], e["spans"], "user"),
                    "reply_segments": segments(e["reply_text"], e["spans"], "reply"),
                    "other_spans": [s for s in e["spans"] if s["source"] not in ("user", "reply")],
                }
                for e in group["examples"]
            ],
        }
        for group in body["evidence_examples"]
    ]


def render_html(report: Report, svgs: dict[str, str] | None = None) -> str:
    """Return the report as one HTML document (``svgs`` reuses charts already rendered)."""
    body = report.body
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            r=body,
            css=(TEMPLATES / "report.css").read_text(encoding="utf-8"),
            charts=svgs if svgs is not None else chart_svgs(body),
            examples=_examples(body),
            code_version=describe_version(body["manifest"]["code_version"]),
        )
    )
