"""The shared chart definitions (``spec_audit.reports.charts``): data they plot and SVG output."""

from __future__ import annotations

import datetime as dt

import altair as alt
import polars as pl

from spec_audit.reports import charts

D1, D2 = dt.date(2026, 10, 1), dt.date(2026, 10, 2)


def series(clause_id: str = "c1") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "clause_id": [clause_id] * 2,
            "model": ["m-a", "m-a"],
            "day": [D1, D2],
            "applicable": [10, 10],
            "violations": [1, 3],
            "rate": [0.1, 0.3],
            "ci_low": [0.02, 0.1],
            "ci_high": [0.4, 0.6],
        }
    )


def data(chart) -> list[dict]:
    """Return the rows of the chart's single inline data set."""
    [rows] = chart.to_dict()["datasets"].values()
    return rows


def test_clause_rates_drops_null_rates_and_orders_highest_first() -> None:
    frame = pl.DataFrame(
        {
            "clause_id": ["b", "a", "z", "none"],
            "layer": ["rule", "default", "rule", "rule"],
            "applicable": [10, 10, 10, 0],
            "violations": [1, 1, 5, 0],
            "rate": [0.1, 0.1, 0.5, None],
            "ci_low": [0.02, 0.02, 0.24, None],
            "ci_high": [0.4, 0.4, 0.76, None],
            "severity": ["high"] * 4,  # extra columns are ignored
        }
    )
    spec = charts.clause_rates(frame).to_dict()
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["z", "a", "b"]
    assert [r["clause_id"] for r in data(charts.clause_rates(frame))] == ["b", "a", "z"]


def test_rate_over_time_one_clause_is_one_chart_with_its_change_point() -> None:
    changes = pl.DataFrame(
        {
            "clause_id": ["c1", "c1"],
            "model": ["m-a", "m-b"],
            "direction": ["up", None],
            "start_day": [D2, None],  # m-b has no shift: no rule
        }
    )
    chart = charts.rate_over_time(series(), changes)
    rows = data(chart)
    assert [(r["mark"], r["day"], r["model"]) for r in rows] == [
        ("rate", "2026-10-01", "m-a"),
        ("rate", "2026-10-02", "m-a"),
        ("change", "2026-10-02", "m-a"),
    ]
    spec = chart.to_dict()
    assert "facet" not in spec and spec["height"] == 280
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["area", "line", "rule"]


def test_rate_over_time_several_clauses_are_small_multiples() -> None:
    spec = charts.rate_over_time(pl.concat([series("c1"), series("c2")])).to_dict()
    assert spec["facet"] == {"field": "clause_id", "title": None, "type": "nominal"}
    assert spec["columns"] == 3


def test_refusal_quadrant_shares_per_intent_and_labels_no_reply() -> None:
    frame = pl.DataFrame(
        {
            "prompt_intent": ["benign", "harmful", "ambiguous"],
            "complied": [6, 1, 0],
            "refused": [2, 3, 0],
            "no_reply": [2, 0, 0],
        }
    )
    rows = {(r["prompt_intent"], r["reply"]): r for r in data(charts.refusal_quadrant(frame))}
    assert len(rows) == 9
    assert rows[("benign", "no reply")]["turns"] == 2
    assert rows[("benign", "complied")]["share"] == 0.6
    assert rows[("harmful", "refused")]["share"] == 0.75
    assert rows[("ambiguous", "refused")]["share"] == 0.0  # no turns: 0, not NaN


def test_svg_is_deterministic_and_prefixes_ids() -> None:
    chart = charts.rate_over_time(pl.concat([series("c1"), series("c2")]))
    assert charts.svg(chart) == charts.svg(chart)
    # A clipped mark is what gives an SVG element ids that two inlined charts could share.
    clipped = alt.Chart(series()).mark_line(clip=True).encode(x="violations:Q", y="rate:Q")
    text = charts.svg(clipped, "rates-")
    assert 'id="rates-clip1"' in text and "url(#rates-clip1)" in text
    assert 'id="clip' not in text and "url(#clip" not in text
