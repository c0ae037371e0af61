"""Tests of the ASCII fast path of transforms.lexicon: same matches as the Unicode regex, row by row.

``ascii_variant`` rewrites ``\\w``, ``\\d``, ``\\s`` and ``\\b`` to their ASCII forms, and
``by_script`` uses that variant only on rows made of ASCII characters, where both regexes agree
(and only for regexes with a counted repetition, so every regex below has one).
The fixtures mix ASCII rows with rows whose non-ASCII letters, digits and spaces would be matched
differently by the two forms, so a row sent down the wrong path shows up as a different value.
"""

from __future__ import annotations

import polars as pl
import pytest

from transforms.lexicon import ascii_variant, by_script, span

TEXTS = [
    "Forge a signature and ask the bank for the PIN",
    "café owners, naïve users and Zoë",  # non-ASCII letters inside words
    "call 555\u00a01234 now",  # a no-break space: Unicode \s, not ASCII \s
    "room ٣ or room 3",  # an Arabic-Indic digit: Unicode \d, not ASCII \d
    "",
    None,
]


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        (r"\bcannot\b", r"\bcannot\b"),  # no class escape: left unchanged
        (r"\w+\b", r"[[:word:]]+(?-u:\b)"),
        (r"[\w'-]+\s\d", r"[[:word:]'-]+[[:space:]][[:digit:]]"),
        (r"[^\w.]\W\S\D", r"[^[:word:].]\W\S\D"),  # negated shorthands stay Unicode
        (r"\\w\w", r"\\w[[:word:]]"),  # an escaped backslash followed by "w" is literal
        (r"[]\w][[:alpha:]\d]", r"[][:word:]][[:alpha:][:digit:]]"),
    ],
)
def test_ascii_variant_rewrites_only_the_unicode_classes(regex: str, expected: str) -> None:
    assert ascii_variant(regex) == expected


@pytest.mark.parametrize(
    "regex",
    [
        r"\w{1,}",
        r"(?i)\b(?:forge|ask)\b(?:\s+\w+){0,5}?\s+(?:pin|bank)",
        r"room\s{1,2}\d",
        r"\d{1,}\s\d+",
        r"(?i)\bzo\w{1}\b",
        r"[\w,]{2,}\s+users",
    ],
)
def test_by_script_finds_what_the_unicode_regex_finds_on_every_row(regex: str) -> None:
    df = pl.DataFrame({"t": TEXTS}, schema={"t": pl.String})
    text = pl.col("t")
    out = df.select(
        fast=by_script(text, regex, lambda t, rx: t.str.extract(rx, 0)),
        plain=text.str.extract(regex, 0),
        fast_at=by_script(text, regex, lambda t, rx: t.str.find(rx)),
        plain_at=text.str.find(regex),
    )
    assert out["fast"].to_list() == out["plain"].to_list()
    assert out["fast_at"].to_list() == out["plain_at"].to_list()


def test_non_ascii_rows_keep_unicode_classes() -> None:
    df = pl.DataFrame({"t": TEXTS}, schema={"t": pl.String})

    def found(regex: str) -> list[int | None]:
        return df.select(by_script(pl.col("t"), regex, lambda t, rx: t.str.find(rx)))["t"].to_list()

    # ASCII classes would miss each of these: "ë" is no [[:word:]], the no-break space no
    # [[:space:]], the Arabic-Indic three no [[:digit:]]; each row is searched with \w, \s, \d.
    zoe_at = len("café owners, naïve users and ".encode())  # a byte offset
    assert found(r"\bZo\w{1}\b") == [None, zoe_at, None, None, None, None]
    assert found(r"\d\s{1}\d") == [None, None, 7, None, None, None]
    assert found(r"room\s{1}\d") == [None, None, None, 0, None, None]


def test_span_offsets_are_bytes_on_both_paths() -> None:
    df = pl.DataFrame({"t": ["Zoë signed it", "Zoe signed it"]})
    out = df.select(ev=span("t", r"(?i)\bsign\w*", source="reply"))["ev"].to_list()
    assert out == [
        {"source": "reply", "start": 5, "end": 11, "text": "signed"},
        {"source": "reply", "start": 4, "end": 10, "text": "signed"},
    ]
