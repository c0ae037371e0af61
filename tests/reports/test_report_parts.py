"""Report building blocks: highlighting by byte offsets, periods, formats, generation time."""

from __future__ import annotations

import datetime as dt

import pytest

from spec_audit.errors import UserError
from spec_audit.reports.evidence import DISPLAY_BYTES, segments
from spec_audit.reports.generate import last_full_period, parse_formats
from spec_audit.reports.manifest import parse_generated_at
from spec_audit.reports.statistics import report_window


def test_segments_merge_overlapping_spans_and_ignore_other_sources() -> None:
    text = "naïve text: ok"  # "ï" is two bytes
    spans = [
        {"source": "reply", "start": 0, "end": 6, "signal": "a"},  # "naïve"
        {"source": "reply", "start": 3, "end": 11, "signal": "b"},  # "ïve text"
        {"source": "user", "start": 0, "end": 2, "signal": "c"},
        {"source": "reply", "start": 10, "end": 99, "signal": "out of range"},
    ]
    assert segments(text, spans, "reply") == [
        {"text": "naïve text", "signals": ["a", "b"]},
        {"text": ": ok", "signals": []},
    ]


def test_segments_cut_long_text_around_the_first_span() -> None:
    text = "x" * 5000 + "SPAN" + "y" * 5000
    parts = segments(text, [{"source": "user", "start": 5000, "end": 5004, "signal": "s"}], "user")
    assert parts[0] == {"text": "…", "signals": []} and parts[-1] == {"text": "…", "signals": []}
    assert {"text": "SPAN", "signals": ["s"]} in parts
    assert sum(len(p["text"]) for p in parts[1:-1]) == DISPLAY_BYTES


def test_last_full_period() -> None:
    assert last_full_period("week", dt.date(2026, 11, 4)) == (
        dt.date(2026, 10, 26), dt.date(2026, 11, 1)
    )  # fmt: skip
    assert last_full_period("month", dt.date(2026, 1, 1)) == (
        dt.date(2025, 12, 1), dt.date(2025, 12, 31)
    )  # fmt: skip
    with pytest.raises(UserError, match="report period 'year': expected week or month"):
        last_full_period("year", dt.date(2026, 1, 1))


def test_report_window_of_a_week_and_of_a_month() -> None:
    week = report_window(dt.date(2026, 10, 19), dt.date(2026, 10, 25))
    assert (week.baseline_start, week.baseline_end) == (dt.date(2026, 9, 28), dt.date(2026, 10, 18))
    assert week.current_start == dt.date(2026, 10, 19)
    month = report_window(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert (month.baseline_start, month.baseline_end) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 24),
    )
    assert month.current_start == dt.date(2026, 10, 25)


def test_formats_and_generation_time() -> None:
    assert parse_formats("PDF,csv") == ("pdf", "csv")
    with pytest.raises(UserError) as bad:
        parse_formats("html,docx")
    assert (
        str(bad.value) == "--format 'docx': expected a comma-separated list of html, pdf, json, csv"
    )
    with pytest.raises(UserError) as when:
        parse_generated_at("yesterday")
    assert str(when.value) == (
        "--generated-at 'yesterday': expected an ISO 8601 time such as 2026-11-02T06:00:00Z"
    )
    assert parse_generated_at("2026-11-02T06:00:00.123456Z") == "2026-11-02T06:00:00Z"
    now = dt.datetime(2026, 11, 2, 6, 0, 1, 500, tzinfo=dt.UTC)
    assert parse_generated_at(None, now=now) == "2026-11-02T06:00:01Z"


def test_cli_default_examples_match_the_library() -> None:
    from spec_audit.cli.report import EXAMPLES
    from spec_audit.reports.evidence import EXAMPLES_PER_CLAUSE

    assert EXAMPLES == EXAMPLES_PER_CLAUSE
