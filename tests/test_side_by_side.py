"""benchmarks/side_by_side.py: every contender gives the same answer as the plain Python loop."""

from __future__ import annotations

import pandas as pd
import polars as pl

from tests.conftest import benchmark_script

REPLIES = [
    "I'm sorry, but I can't help with that request.",
    "Sure! Here is a short poem about the sea.",
    "It's not appropriate for me to write that. Instead, I could suggest a safer topic.",
    "As an AI, I don't have the ability to browse the web.",
    "Here are the steps:\n1. Open the settings\n2. Choose privacy",
    "I CANNOT assist with creating malware; that would violate the policy I follow.",
    "Voilà, the café opens at nine.",
    "",
]


def test_every_contender_counts_the_same_hits_per_lexicon() -> None:
    bench = benchmark_script("side_by_side")
    patterns = bench.lexicons()
    reference = bench.with_python(REPLIES, patterns)
    assert sum(reference.values()) >= 5  # the fixture exercises several lexicons
    replies = pl.Series("reply", REPLIES)
    assert bench.with_polars(replies, patterns) == reference
    assert bench.with_polars_per_lexicon(replies, patterns) == reference
    assert bench.with_pandas(pd.Series(REPLIES, dtype="string"), patterns) == reference
