"""Evidence examples: a few violation findings per clause, with the evidence spans to highlight.

The examples are chosen by the MD5 of the turn id (``sql/examples.sql``): deterministic, and
neither the first turns of the period nor a hand-picked worst case. The texts are shown as stored,
which means after ingest's PII redaction. Evidence offsets are UTF-8 byte offsets into the user or
reply text; they are turned into highlighted segments here, in Python, because there are at most
a few dozen examples per report (never a loop over the findings themselves).
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from spec_audit.reports.scope import Scope

#: Examples per violated or regressed clause unless ``--examples`` says otherwise.
EXAMPLES_PER_CLAUSE = 3
#: Longest text shown per example (bytes); longer texts are cut around their first span.
DISPLAY_BYTES = 1500
#: Bytes of context kept before the first span when a long text is cut.
LEAD_BYTES = 300


def examples(
    con: duckdb.DuckDBPyConnection,
    scope: Scope,
    clauses: Sequence[tuple[str, str]],
    n: int = EXAMPLES_PER_CLAUSE,
) -> list[dict[str, object]]:
    """Return per clause (id, why it is shown) up to ``n`` violation examples with their spans."""
    if n <= 0 or not clauses:
        return []
    chosen = scope.run(con, "examples", clauses=[c for c, _ in clauses], n=n)
    pairs = (
        chosen.select("turn_id", signal=pl.col("signals"))
        .explode("signal")
        .drop_nulls()
        .unique()
        .sort("turn_id", "signal")
        .to_dicts()
    )
    spans = (
        scope.run(con, "example_spans", pairs=pairs).to_dicts()
        if pairs
        else []  # no example: nothing to look up
    )
    by_turn: dict[str, list[dict[str, object]]] = {}
    for span in spans:
        by_turn.setdefault(str(span.pop("turn_id")), []).append(span)
    rows = chosen.to_dicts()
    result = []
    for clause_id, reason in clauses:
        found = [
            {
                "turn_id": r["turn_id"],
                "conversation_id": r["conversation_id"],
                "day": r["day"].isoformat(),
                "model": r["model"],
                "surface": r["surface"],
                "overlay_id": r["overlay_id"],
                "signals": sorted(r["signals"] or []),
                "user_text": r["user_text"],
                "reply_text": r["reply_text"],
                "spans": by_turn.get(r["turn_id"], []),
            }
            for r in rows
            if r["clause_id"] == clause_id
        ]
        result.append({"clause_id": clause_id, "reason": reason, "examples": found})
    return result


def segments(
    text: str | None, spans: Sequence[dict[str, object]], source: str
) -> list[dict[str, object]]:
    """Return ``text`` as consecutive segments {text, signals} with the spans of ``source`` marked.

    Offsets are UTF-8 bytes. Overlapping spans merge into one highlighted segment naming every
    signal; a long text is cut to ``DISPLAY_BYTES`` around its first span, with "…" marking cuts.

    >>> segments("Café: you should sue", [{"source": "reply", "start": 7, "end": 21,
    ...     "signal": "definitive_advice"}], "reply")
    [{'text': 'Café: ', 'signals': []}, {'text': 'you should sue', 'signals': ['definitive_advice']}]
    >>> segments(None, [], "reply")
    []
    """
    if not text:
        return []
    data = text.encode("utf-8")
    marks = sorted(
        (int(s["start"]), int(s["end"]), str(s["signal"]))
        for s in spans
        if s["source"] == source and 0 <= int(s["start"]) < int(s["end"]) <= len(data)
    )
    merged: list[list] = []
    for start, end, signal in marks:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            if signal not in merged[-1][2]:
                merged[-1][2].append(signal)
        else:
            merged.append([start, end, [signal]])
    first = merged[0][0] if merged else 0
    lo = 0 if len(data) <= DISPLAY_BYTES else max(0, first - LEAD_BYTES)
    hi = min(len(data), lo + DISPLAY_BYTES)
    out: list[dict[str, object]] = []

    def piece(a: int, b: int, signals: list[str]) -> None:
        a, b = max(a, lo), min(b, hi)
        if a < b:
            # A cut inside a multi-byte character drops that character rather than failing.
            out.append({"text": data[a:b].decode("utf-8", errors="ignore"), "signals": signals})

    if lo > 0:
        out.append({"text": "…", "signals": []})
    cursor = lo
    for start, end, signals in merged:
        piece(cursor, start, [])
        piece(start, end, sorted(signals))
        cursor = max(cursor, end)
    piece(cursor, hi, [])
    if hi < len(data):
        out.append({"text": "…", "signals": []})
    return out
