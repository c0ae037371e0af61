"""The HTML report in headless Chromium: it renders and requests nothing from the network (slow)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from spec_audit.reports.generate import generate_report
from tests.reports.conftest import END, GENERATED_AT, START

CHROMIUM = "/usr/bin/chromium"


@pytest.mark.slow
def test_html_report_makes_no_network_request(report_db: Path, catalog, tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.skip("chromium is not installed")
    folder = tmp_path / "r"
    generate_report(
        report_db, catalog, start=START, end=END, out=folder, formats="html",
        generated_at=GENERATED_AT,
    )  # fmt: skip
    url = (folder / "report.html").resolve().as_uri()
    requests: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.goto(url, wait_until="load")
        heading = page.inner_text("h1")
        charts = page.locator("svg").count()
        page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
        browser.close()
    assert requests == [url]  # the page itself, and nothing else
    assert heading.startswith("Compliance report: ")
    assert charts == 3
