"""The running dashboards in a real browser: Debian's chromium driven by Playwright.

Starts `spec-audit dashboard` on a free port over the fixture database, visits every page,
checks its key content and that no error is shown, records a review end to end, and saves a
screenshot of each page in a temporary folder (printed, and kept by pytest's tmp_path).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from dashboards.reviews import load_reviews, reviews_path
from tests.conftest import SPEC_AUDIT

CHROMIUM = "/usr/bin/chromium"
playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]
# Page path → text that must appear on it.
PAGES = {
    "": "Regressed clauses",
    "clause?clause=assume_best_intentions": "shifted up from 2026-10-02",
    "refusals": "Over-refusal hot spots",
    "models": "improved: 1",
    "explorer?conversation=c2": "<script>alert(1)</script>",
    "spec": "12 added, 4 removed",
    "data_quality": "Rejected records by reason",
    "review": "Record reviews",
    "reports": "Generate report",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(fixture_db: Path):
    """Yield the base URL of `spec-audit dashboard` serving the fixture database."""
    port = free_port()
    process = subprocess.Popen(
        [SPEC_AUDIT, "dashboard", "--db", str(fixture_db), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://localhost:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        raise AssertionError(process.stdout.read().decode())
    yield base
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def test_every_page_in_chromium(server: str, fixture_db: Path, tmp_path: Path) -> None:
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        for path, expected in PAGES.items():
            page.goto(f"{server}/{path}")
            page.get_by_text(expected, exact=False).first.wait_for(timeout=30_000)
            page.wait_for_load_state("networkidle")
            assert page.locator("[data-testid='stException']").count() == 0, path
            assert page.locator("[data-testid='stAlertContentError']").count() == 0, path
            name = path.split("?")[0] or "overview"
            page.screenshot(path=shots / f"{name}.png", full_page=True)
        # The page shows the script tag as text: it was escaped, never run as markup.
        page.goto(f"{server}/explorer?conversation=c2")
        mark = page.locator("mark[title='group_mentioned']")
        mark.wait_for(timeout=30_000)
        assert mark.inner_text() == "Zoë"
        assert page.locator("script:text('alert(1)')").count() == 0

        page.goto(f"{server}/review")
        page.get_by_label("Your name (recorded with each review)").fill("browser auditor")
        page.keyboard.press("Enter")
        radios = page.locator("[data-testid='stRadio']")
        radios.first.wait_for(timeout=30_000)
        radios.nth(0).get_by_text("violation", exact=True).click()
        radios.nth(1).get_by_text("compliant", exact=True).click()
        page.get_by_role("button", name="Record reviews").click()
        page.get_by_text("Recorded 2 reviews.").wait_for(timeout=30_000)
        page.screenshot(path=shots / "review_recorded.png", full_page=True)

        # A report in every format for the default filters, downloaded as the browser would.
        page.goto(f"{server}/reports")
        page.get_by_role("button", name="Generate report").click()
        zipped = page.get_by_role("button", name="Download every file (zip)")
        zipped.wait_for(timeout=120_000)
        with page.expect_download() as download:
            zipped.click()
        archive = zipfile.ZipFile(download.value.path())
        assert sorted(Path(name).name for name in archive.namelist()) == [
            "SHA256SUMS", "clauses.csv", "findings.csv", "manifest.json", "report.html",
            "report.json", "report.pdf",
        ]  # fmt: skip
        pdf = next(name for name in archive.namelist() if name.endswith("/report.pdf"))
        assert archive.read(pdf).startswith(b"%PDF-")
        page.screenshot(path=shots / "report_generated.png", full_page=True)
        browser.close()
    print(f"screenshots: {shots}")
    assert sorted(p.name for p in shots.iterdir()) == [
        "clause.png", "data_quality.png", "explorer.png", "models.png", "overview.png",
        "refusals.png", "report_generated.png", "reports.png", "review.png",
        "review_recorded.png", "spec.png",
    ]  # fmt: skip
    stored = load_reviews(reviews_path(fixture_db), "model-spec", "2025-12-18")
    assert stored.select("reviewer", "turn_id", "auditor_verdict").sort("turn_id").rows() == [
        ("browser auditor", "c1:0", "violation"), ("browser auditor", "c2:0", "compliant"),
    ]  # fmt: skip
