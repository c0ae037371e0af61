"""Truthfulness signals of a reply: hedging rate, unsupported citations, impossible acts, certainty.

``label`` adds ``hedging`` (hedge phrases per 100 reply words, outside double-quoted text, not
counting "May" the month), ``fabricated_citation`` (the reply cites a specific source that no
context document contains), ``capability_claim`` (the reply says it sent, booked, called, paid...)
and ``overconfident`` (certainty markers in a reply without any hedge), each with its
``<signal>__evidence`` span in the reply. All four are null when the turn has no reply.
"""

from __future__ import annotations

import polars as pl

from transforms import grounding
from transforms.lexicon import pattern, require_columns, span
from transforms.registry import EVIDENCE_DTYPE

_INPUT_COLUMNS = ("reply_text", "context_documents")
_NO_EVIDENCE = pl.lit(None, dtype=EVIDENCE_DTYPE)
_REPLY = pl.col("reply_text")
# Quoted text reports someone else's words; its hedges are not the assistant's.
_QUOTED = r'"[^"\n]*"|“[^”]*”'
_NOT_QUOTE = r'[^"“]|"[^"\n]*"|“[^”]*”'
_ROW = grounding.ROW


def hedge_count() -> pl.Expr:
    """Return the number of hedge phrases in the reply outside quotes, "May" the month excluded."""
    unquoted = _REPLY.str.replace_all(_QUOTED, " ")
    return unquoted.str.count_matches(pattern("hedges")) - unquoted.str.count_matches(
        pattern("truth_month_may")
    )


def hedging() -> pl.Expr:
    """Return hedge phrases per 100 reply words (0.0 for a reply without hedges or words)."""
    words = _REPLY.str.count_matches(r"\S+")
    return (
        pl.when(words == 0)
        .then(pl.lit(0.0))
        .otherwise(100.0 * hedge_count().cast(pl.Float64) / words)
        .alias("hedging")
    )


def _hedge_evidence(where: pl.Expr) -> pl.Expr:
    """Return the span of the first hedge outside quotes (byte offsets into the reply).

    Only the rows where ``where`` holds are searched: the prefix capture is slow.
    """
    found = rf"(?s)^((?:{_NOT_QUOTE})*?)({pattern('hedges')})"
    reply = pl.when(where).then(_REPLY)
    prefix = reply.str.extract(found, 1)
    text = reply.str.extract(found, 2)
    start = prefix.str.len_bytes().cast(pl.Int32)
    return pl.struct(
        source=pl.lit("reply"),
        start=start,
        end=start + text.str.len_bytes().cast(pl.Int32),
        text=text,
    ).cast(EVIDENCE_DTYPE)


def capability_claim() -> pl.Expr:
    """Return whether the reply claims a real-world action (sent, booked, called, paid...)."""
    return _REPLY.str.contains(pattern("truth_capability")).alias("capability_claim")


def _certainty_regex() -> tuple[str, str]:
    """Return (certainty marker, negated marker): the second matches a marker after a negator."""
    certainty = pattern("truth_certainty")
    return certainty, pattern("truth_negators") + r"\s+" + certainty


def overconfident() -> pl.Expr:
    """Return whether the reply asserts certainty outright and carries no hedge.

    Each negated match ("not guaranteed") holds exactly one marker match, so the difference of the
    two counts is the number of certainty markers asserted.
    """
    certainty, negated = _certainty_regex()
    asserted = _REPLY.str.count_matches(certainty) - _REPLY.str.count_matches(negated)
    return ((asserted > 0) & (hedge_count() == 0)).alias("overconfident")


def _first_unsupported_citation(turns: pl.LazyFrame) -> pl.LazyFrame:
    """Return, per row index with one, the first citation of the reply no context document holds."""
    citation = pattern("truth_citation", boundary=False)
    exempt = pattern("truth_citation_exempt", boundary=False)
    return (
        turns.select(
            _ROW,
            documents=pl.col("context_documents").list.join("\n").str.to_lowercase().fill_null(""),
            citation=_REPLY.str.extract_all(citation),
        )
        .explode("citation")
        .filter(
            pl.col("citation").is_not_null()
            & ~pl.col("citation").str.contains(exempt)
            & ~pl.col("documents").str.contains(pl.col("citation").str.to_lowercase(), literal=True)
        )
        .group_by(_ROW)
        .agg(pl.col("citation").first().alias("__unsupported"))
    )


def unsupported_by_context() -> pl.Expr:
    """Return whether a reply grounded on documents is mostly not drawn from them.

    Null without a reply; false when the turn has no context documents (nothing to check against).
    See ``transforms.grounding`` for the share of word pairs and the number cue.
    """
    unsupported = (pl.col("context_support") <= grounding.SUPPORT_THRESHOLD) | pl.col(
        "__novel_number"
    ).is_not_null()
    return (
        pl.when(_REPLY.is_not_null())
        .then(unsupported.fill_null(False))
        .alias("unsupported_by_context")
    )


def _novel_evidence(where: pl.Expr) -> pl.Expr:
    """Return, where ``where`` holds, the span of the number the documents lack, else of the
    first word pair they lack (null elsewhere or when neither is found)."""
    reply = pl.when(where).then(_REPLY)
    number = pl.col("__novel_number")
    number_start = reply.str.find(number, literal=True).cast(pl.Int32)
    pair = reply.str.extract(pl.lit("(") + pl.col("__novel_pair") + ")", 1)
    pair_start = reply.str.find(pl.col("__novel_pair")).cast(pl.Int32)
    return (
        pl.when(number_start.is_not_null())
        .then(
            pl.struct(
                source=pl.lit("reply"),
                start=number_start,
                end=number_start + number.str.len_bytes().cast(pl.Int32),
                text=number,
            )
        )
        .when(pair.is_not_null())
        .then(
            pl.struct(
                source=pl.lit("reply"),
                start=pair_start,
                end=pair_start + pair.str.len_bytes().cast(pl.Int32),
                text=pair,
            )
        )
        .otherwise(_NO_EVIDENCE)
        .cast(EVIDENCE_DTYPE)
    )


def label(turns: pl.LazyFrame) -> pl.LazyFrame:
    """Return ``turns`` with the truthfulness signals and their evidence columns added.

    >>> turns = pl.LazyFrame(
    ...     {
    ...         "reply_text": [
    ...             "It might work; see Müller et al. (2019).",
    ...             "I've booked your table. It definitely works.",
    ...             None,
    ...         ],
    ...         "context_documents": [[], [], []],
    ...     },
    ...     schema={"reply_text": pl.String, "context_documents": pl.List(pl.String)},
    ... )
    >>> out = label(turns).collect()
    >>> out.select("hedging", "fabricated_citation", "capability_claim", "overconfident").rows()
    [(12.5, True, False, False), (0.0, False, True, True), (None, None, None, None)]
    >>> out["fabricated_citation__evidence"].to_list()[0]
    {'source': 'reply', 'start': 19, 'end': 40, 'text': 'Müller et al. (2019)'}
    """
    require_columns(turns, _INPUT_COLUMNS, labeller="truthfulness")
    indexed = turns.with_row_index(_ROW)
    turns = (
        indexed.join(
            _first_unsupported_citation(indexed), on=_ROW, how="left", maintain_order="left"
        )
        .join(grounding.support(indexed), on=_ROW, how="left", maintain_order="left")
        .drop(_ROW)
    )
    certainty, _ = _certainty_regex()
    unsupported = pl.col("__unsupported")
    citation_start = _REPLY.str.find(unsupported, literal=True).cast(pl.Int32)
    turns = turns.with_columns(
        hedging(),
        pl.when(_REPLY.is_not_null()).then(unsupported.is_not_null()).alias("fabricated_citation"),
        capability_claim(),
        overconfident(),
        unsupported_by_context(),
    )
    hedged = pl.col("hedging") > 0
    return turns.with_columns(
        pl.when(hedged)
        .then(_hedge_evidence(hedged))
        .otherwise(_NO_EVIDENCE)
        # A reply whose only hedges sit in unbalanced quotes still gets its first hedge as evidence.
        .fill_null(
            pl.when(hedged)
            .then(span("reply_text", pattern("hedges"), source="reply", where=hedged))
            .otherwise(_NO_EVIDENCE)
        )
        .alias("hedging__evidence"),
        pl.when(pl.col("fabricated_citation"))
        .then(
            pl.struct(
                source=pl.lit("reply"),
                start=citation_start,
                end=citation_start + unsupported.str.len_bytes().cast(pl.Int32),
                text=unsupported,
            )
        )
        .otherwise(_NO_EVIDENCE)
        .cast(EVIDENCE_DTYPE)
        .alias("fabricated_citation__evidence"),
        pl.when(pl.col("capability_claim"))
        .then(
            span(
                "reply_text",
                pattern("truth_capability"),
                source="reply",
                where=pl.col("capability_claim"),
            )
        )
        .otherwise(_NO_EVIDENCE)
        .alias("capability_claim__evidence"),
        pl.when(pl.col("overconfident"))
        .then(span("reply_text", certainty, source="reply", where=pl.col("overconfident")))
        .otherwise(_NO_EVIDENCE)
        .alias("overconfident__evidence"),
        _novel_evidence(pl.col("unsupported_by_context")).alias("unsupported_by_context__evidence"),
        _novel_evidence(pl.col("context_support") < 1).alias("context_support__evidence"),
    ).drop("__unsupported", "__novel_pair", "__novel_number")
