"""The dashboard pages draw the shared chart definitions (``spec_audit.reports.charts``)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.dashboards.conftest import ABI
from tests.dashboards.test_pages import open_page

VIEWS = Path(__file__).resolve().parents[2] / "dashboards" / "views"


def specs(app) -> list[dict]:
    """Return the Vega-Lite specs of every chart the page drew."""
    return [json.loads(chart.proto.spec) for chart in app.get("vega_lite_chart")]


def test_no_second_set_of_chart_definitions() -> None:
    assert not (VIEWS.parent / "charts.py").exists()
    users = sorted(p.stem for p in VIEWS.glob("*.py") if "charts." in p.read_text())
    assert users == ["clause", "models", "overview", "refusals"]
    assert all(
        "from spec_audit.reports import charts" in (VIEWS / f"{name}.py").read_text()
        for name in users
    )


def test_clause_page_draws_the_shared_time_series_with_its_change_point(fixture_db: Path) -> None:
    app = open_page("clause", clause=ABI)
    [spec] = specs(app)
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["area", "line", "rule"]  # Wilson band, rate, change point
    assert spec["layer"][0]["encoding"]["x"]["scale"] == {"type": "utc"}


def test_refusals_page_draws_the_shared_quadrant(fixture_db: Path) -> None:
    app = open_page("refusals")
    quadrant = specs(app)[0]
    assert quadrant["layer"][0]["encoding"]["x"]["sort"] == ["complied", "refused", "no reply"]
    assert [layer["mark"]["type"] for layer in quadrant["layer"]] == ["rect", "text"]
