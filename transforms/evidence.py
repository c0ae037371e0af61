"""Evidence columns of a family, each regex search made once per span.

``transforms.lexicon.span`` returns one expression, in which the match's text and position each
appear several times (in the null test, the end offset and the struct) and Polars searches again
at every place, with both script variants of the regex (``lexicon.by_script``): about ten
searches per span. ``with_spans`` adds the position and the text of each span as scratch columns
first, one search each, and builds the evidence structs from those columns: the same spans.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from transforms.casefold import ascii_name
from transforms.lexicon import by_script, is_ascii
from transforms.registry import EVIDENCE_DTYPE

_NO_EVIDENCE = pl.lit(None, dtype=EVIDENCE_DTYPE)


@dataclass(frozen=True)
class Span:
    """The first match of ``regex`` in ``column``, looked for only where ``where`` holds."""

    column: str
    regex: str
    source: str
    where: pl.Expr


def _scratch(name: str) -> str:
    return f"__evidence_{name}"


def with_spans(turns: pl.LazyFrame, spans: Mapping[str, Span]) -> pl.LazyFrame:
    """Return ``turns`` with one evidence column per span, named by its key.

    Each is ``lexicon.span(column, regex, source=source, where=where)``: the first match's
    source, UTF-8 byte offsets and text, null where ``where`` does not hold or nothing matches.
    The ASCII test of a column is read from its ``casefold.ascii_name`` column when present.

    >>> turns = pl.LazyFrame({"reply_text": ["Sí, I cannot help", "I cannot", None]})
    >>> out = with_spans(
    ...     turns, {"ev": Span("reply_text", r"(?i)cannot help", "reply", pl.lit(True))}
    ... ).collect()
    >>> out["ev"].to_list()
    [{'source': 'reply', 'start': 7, 'end': 18, 'text': 'cannot help'}, None, None]
    """
    present = set(turns.collect_schema().names())
    searches = []
    for name, s in spans.items():
        text = pl.when(s.where).then(pl.col(s.column))
        ascii_rows = (
            pl.col(ascii_name(s.column)) if ascii_name(s.column) in present else is_ascii(text)
        )
        # One expression holds both searches of a regex: Polars evaluates the expressions of a
        # stage in turn, so the second finds the regex still compiled in its small cache.
        searches.append(
            pl.struct(
                at=by_script(text, s.regex, lambda t, rx: t.str.find(rx), ascii_rows=ascii_rows),
                text=by_script(
                    text, s.regex, lambda t, rx: t.str.extract(rx, 0), ascii_rows=ascii_rows
                ),
            ).alias(_scratch(name))
        )
    evidence = []
    for name, s in spans.items():
        found = pl.col(_scratch(name)).struct.field("text")
        at = pl.col(_scratch(name)).struct.field("at").cast(pl.Int32)
        struct = pl.struct(
            source=pl.lit(s.source),
            start=at,
            end=at + found.str.len_bytes().cast(pl.Int32),
            text=found,
        )
        evidence.append(
            pl.when(found.is_not_null())
            .then(struct)
            .otherwise(_NO_EVIDENCE)
            .cast(EVIDENCE_DTYPE)
            .alias(name)
        )
    scratch = [_scratch(name) for name in spans]
    return turns.with_columns(searches).with_columns(evidence).drop(scratch)
