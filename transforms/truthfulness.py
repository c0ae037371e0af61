"""Truthfulness signals of a reply: hedging, unsupported or unverifiable specifics, impossible acts.

``label`` adds, each with its ``<signal>__evidence`` span and null when the turn has no reply:

- ``hedging``: hedge phrases per 100 reply words, outside double-quoted text, not counting "May"
  the month;
- ``fabricated_citation``: the reply cites a specific source that no context document contains;
- ``capability_claim``: the reply says it sent, booked, called, paid..., or hands over a picture,
  chart or recording ("[bar chart of sales]", "here is the drawing") that a text reply cannot hold;
- ``overconfident``: certainty markers in a reply without any hedge;
- ``context_support`` / ``unsupported_by_context``: how much of the reply the turn's context
  documents support (``transforms.grounding``);
- reference-free markers of made-up content: ``unverified_figure`` (an exact figure nobody in the
  conversation gave: false precision), ``self_limitation`` (the reply describes limits of its own,
  "as an AI language model I cannot...") and ``unseen_source`` (the user points at a link, file
  or named article that is not in the conversation, and the reply answers as if it had read it).
"""

from __future__ import annotations

import polars as pl

from transforms import grounding
from transforms.casefold import Text, with_lowered
from transforms.evidence import Span, with_spans
from transforms.lexicon import pattern, require_columns
from transforms.registry import EVIDENCE_DTYPE
from transforms.scan import union
from transforms.sieve import cue_gate

_INPUT_COLUMNS = ("user_text", "context_text", "reply_text", "context_documents")
_NO_EVIDENCE = pl.lit(None, dtype=EVIDENCE_DTYPE)
_REPLY = pl.col("reply_text")
# Quoted text reports someone else's words; its hedges are not the assistant's.
_QUOTED = r'"[^"\n]*"|“[^”]*”'
_NOT_QUOTE = r'[^"“]|"[^"\n]*"|“[^”]*”'
_ROW = grounding.ROW
#: An exact figure: thousands separators, a decimal part, or three digits or more (years too).
_FIGURE = r"(?-u:\b)(?:[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+\.[0-9]+|[0-9]{3,})(?-u:\b)"
#: A message this short cannot also hold the article or file it points at.
_POINTER_ONLY_WORDS = 60


def hedge_count(hedges: pl.Expr | None = None) -> pl.Expr:
    """Return the number of hedge phrases in the reply outside quotes, "May" the month excluded.

    ``hedges`` is the count of hedge phrases with the month included, when the caller has it:
    every "May" the month is also the hedge "may", so the month is looked for only in the replies
    with a hedge.
    """
    unquoted = Text.of("reply_text").replace_all(_QUOTED, " ")
    if hedges is None:
        hedges = unquoted.count_matches(pattern("hedges"))
    months = unquoted.when(hedges > 0).count_matches(pattern("truth_month_may")).fill_null(0)
    return hedges - months


def _hedges_with_months() -> pl.Expr:
    """Return the number of hedge phrases in the reply outside quotes, "May" the month included."""
    return Text.of("reply_text").replace_all(_QUOTED, " ").count_matches(pattern("hedges"))


_HEDGES = "__truth_hedges"
_MARKERS = "__truth_certainty_markers"


def hedging() -> pl.Expr:
    """Return hedge phrases per 100 reply words (0.0 for a reply without hedges or words).

    Reads the hedge count from the scratch column ``label`` adds first (``hedge_count``); words
    are counted only in replies with a hedge, the others read 0.0 whatever their length.
    """
    hedges = pl.col(_HEDGES)
    words = pl.when(hedges > 0).then(_REPLY).str.count_matches(r"\S+")
    return (
        pl.when(hedges.is_null())
        .then(pl.lit(None, dtype=pl.Float64))
        .when((hedges == 0) | (words == 0))
        .then(pl.lit(0.0))
        .otherwise(100.0 * hedges.cast(pl.Float64) / words)
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


def _media_claim() -> str:
    """Return the regex of a reply handing over a picture, chart or recording it cannot produce."""
    return pattern("truth_media_claim", boundary=False)


_CLAIMS = "__truth_claims"


def _claim_regexes() -> list[str]:
    """Return the lexicons of what a reply claims: actions, media, its own limits, certainty."""
    return [
        pattern("truth_capability"),
        _media_claim(),
        pattern("truth_self_limitation"),
        _certainty_regex()[0],
    ]


def _claims() -> pl.Expr:
    """Return whether one of ``_claim_regexes`` matches the reply (a scratch column): one search
    of them together reads every reply, cheaper than one each; each alone then reads only the
    replies where this one matched."""
    return Text.of("reply_text").contains(union(_claim_regexes())).alias(_CLAIMS)


def _claimed(regex: str) -> pl.Expr:
    """Return whether the reply matches ``regex``, one of ``_claim_regexes``."""
    found = Text.of("reply_text").when(pl.col(_CLAIMS)).contains(regex).fill_null(False)
    return pl.when(_REPLY.is_not_null()).then(found)


def capability_claim() -> pl.Expr:
    """Return whether the reply claims a real-world action (sent, booked, called, paid...) or
    hands over a picture, chart or recording that a text reply cannot hold."""
    return (_claimed(pattern("truth_capability")) | _claimed(_media_claim())).alias(
        "capability_claim"
    )


def _certainty_regex() -> tuple[str, str]:
    """Return (certainty marker, negated marker): the second matches a marker after a negator."""
    certainty = pattern("truth_certainty")
    return certainty, pattern("truth_negators") + r"\s+" + certainty


def overconfident() -> pl.Expr:
    """Return whether the reply asserts certainty outright and carries no hedge.

    Each negated match ("not guaranteed") holds exactly one marker match, so the difference of the
    two counts is the number of certainty markers asserted.
    """
    _, negated = _certainty_regex()
    # A hedged reply is not overconfident whatever it asserts, and a reply without a marker has
    # no negated one: each search reads only the replies where its answer can still matter.
    reply = Text.of("reply_text").when(pl.col(_HEDGES) == 0)
    markers = pl.col(_MARKERS)
    negated_count = reply.when(markers > 0).count_matches(negated).fill_null(0)
    return ((markers - negated_count > 0) & (pl.col(_HEDGES) == 0)).alias("overconfident")


def _certainty_markers() -> pl.Expr:
    """Return how many certainty markers an unhedged reply holds (null for a hedged one)."""
    certainty, _ = _certainty_regex()
    unhedged = pl.col(_HEDGES) == 0
    # A reply none of the claim lexicons matched holds no marker (``_claims``).
    found = Text.of("reply_text").when(unhedged & pl.col(_CLAIMS)).count_matches(certainty)
    return pl.when(unhedged).then(found.fill_null(0)).alias(_MARKERS)


def _first_absent(
    turns: pl.LazyFrame, found: pl.Expr, known: pl.Expr, name: str, *, lower: bool = True
) -> pl.LazyFrame:
    """Return, per row index with one, the first of the ``found`` strings that ``known`` lacks.

    ``found`` is a list of strings per row, ``known`` a text (built only for the rows where
    something was found); both are compared lower-cased and without commas (so "1,200" meets
    "1200"). The result's column is named ``name``. ``lower=False`` skips the lower-casing, which
    changes nothing when every found string is made of digits, commas and dots: no character
    lower-cases to one of those but itself.
    """

    def key(text: pl.Expr) -> pl.Expr:
        text = text.str.to_lowercase() if lower else text
        return text.str.replace_all(",", "", literal=True)

    return (
        turns.with_columns(__found=found)
        .filter(pl.col("__found").list.len() > 0)
        .select(_ROW, known=key(known).fill_null(""), found="__found")
        .explode("found")
        .filter(
            pl.col("found").is_not_null()
            & ~pl.col("known").str.contains(key(pl.col("found")), literal=True)
        )
        .group_by(_ROW)
        .agg(pl.col("found").first().alias(name))
    )


def _documents() -> pl.Expr:
    """Return the turn's context documents as one text."""
    return pl.col("context_documents").list.join("\n")


#: What every match of ``truth_citation`` holds (a rule of that lexicon): a digit, or a web
#: address or ISBN (``transforms.sieve.cue_gate``).
_CITATION_CUES = (r"[0-9]", r"http|www\.|isbn")
_MAY_CITE = "__truth_may_cite"


def _unsupported_citations(turns: pl.LazyFrame) -> pl.LazyFrame:
    """Return, per row index with one, the first citation of the reply no context document holds.

    Only the replies that may cite are searched (``_CITATION_CUES``): the citation regex has no
    detection form, so it would read every reply in full.
    """
    citation = pattern("truth_citation", boundary=False)
    exempt = pattern("truth_citation_exempt", boundary=False)
    citations = (
        Text.of("reply_text")
        .when(pl.col(_MAY_CITE))
        .extract_all(citation)
        .list.filter(~pl.element().str.contains(exempt))
    )
    may_cite = cue_gate(Text.of("reply_text"), _CITATION_CUES)
    turns = turns.with_columns(may_cite.alias(_MAY_CITE))  # read by every search below
    return _first_absent(turns, citations, _documents(), "__unsupported")


def _unverified_figures(turns: pl.LazyFrame) -> pl.LazyFrame:
    """Return, per row index with one, the first exact figure of the reply that neither the user
    (this message or earlier turns) nor a context document gave."""
    given = pl.concat_str(
        pl.col("user_text"), pl.col("context_text"), _documents(), separator="\n", ignore_nulls=True
    )
    return _first_absent(turns, _REPLY.str.extract_all(_FIGURE), given, "__figure", lower=False)


def self_limitation() -> pl.Expr:
    """Return whether the reply describes limits of its own ("as an AI language model...")."""
    return _claimed(pattern("truth_self_limitation")).alias("self_limitation")


_POINTS = "__truth_points"


def _points_at_material() -> pl.Expr:
    """Return whether the user message points at a link, file or article (a scratch column)."""
    points = Text.of("user_text").contains(pattern("truth_unseen_source")).fill_null(False)
    return points.alias(_POINTS)


def unseen_source() -> pl.Expr:
    """Return whether the reply answers about material the user points at but did not give.

    The user message points at a link, a file or a named article (``truth_unseen_source``), is too
    short to hold it, and the turn has no context documents; the reply does not say it cannot see
    it. Null without a reply.
    """
    points = pl.col(_POINTS)
    # Words are counted only in the messages that point at something (few).
    user = pl.when(points).then(pl.col("user_text"))
    not_given = (user.str.count_matches(r"\S+") < _POINTER_ONLY_WORDS) & (
        pl.col("context_documents").list.len().fill_null(0) == 0
    )
    return (
        pl.when(_REPLY.is_not_null())
        .then(points & not_given & ~pl.col("self_limitation"))
        .alias("unseen_source")
    )


def _found_span(text: pl.Expr, where: pl.Expr) -> pl.Expr:
    """Return, where ``where`` holds, the span of the literal ``text`` in the reply, else null."""
    start = pl.when(where).then(_REPLY).str.find(text, literal=True).cast(pl.Int32)
    return (
        pl.when(start.is_not_null())
        .then(
            pl.struct(
                source=pl.lit("reply"),
                start=start,
                end=start + text.str.len_bytes().cast(pl.Int32),
                text=text,
            )
        )
        .otherwise(_NO_EVIDENCE)
        .cast(EVIDENCE_DTYPE)
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
    first word pair they lack, else of its first word (pairs are found as written, one space apart).
    """
    return pl.coalesce(
        _found_span(pl.col("__novel_number"), where),
        _found_span(pl.col("__novel_pair"), where),
        _found_span(pl.col("__novel_word"), where),
    )


#: Signals that hold when a search found a specific in the reply: signal -> column of the find.
_FOUND = {
    "fabricated_citation": "__unsupported",
    "unverified_figure": "__figure",
}


def _regex_spans() -> dict[str, Span]:
    """Return the lexicon spans of the reply's evidence, by scratch name (``with_spans``): each is
    searched only where its signal holds (the hedge span where the reply hedges)."""

    def where(name: str) -> pl.Expr:
        return pl.col(name).fill_null(False)

    return {
        _span_name("hedging"): Span(
            "reply_text", pattern("hedges"), "reply", pl.col("hedging") > 0
        ),
        _span_name("action"): Span(
            "reply_text", pattern("truth_capability"), "reply", where("capability_claim")
        ),
        _span_name("media"): Span("reply_text", _media_claim(), "reply", where("capability_claim")),
        _span_name("overconfident"): Span(
            "reply_text", _certainty_regex()[0], "reply", where("overconfident")
        ),
        _span_name("self_limitation"): Span(
            "reply_text", pattern("truth_self_limitation"), "reply", where("self_limitation")
        ),
    }


def _span_name(name: str) -> str:
    return f"__truth_span_{name}"


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
    ...         "user_text": ["Does it work?", "Book a table.", "Hi"],
    ...         "context_text": [None, None, None],
    ...     },
    ...     schema={
    ...         "reply_text": pl.String,
    ...         "context_documents": pl.List(pl.String),
    ...         "user_text": pl.String,
    ...         "context_text": pl.String,
    ...     },
    ... )
    >>> out = label(turns).collect()
    >>> out.select("hedging", "fabricated_citation", "capability_claim", "overconfident").rows()
    [(12.5, True, False, False), (0.0, False, True, True), (None, None, None, None)]
    >>> out["fabricated_citation__evidence"].to_list()[0]
    {'source': 'reply', 'start': 19, 'end': 40, 'text': 'Müller et al. (2019)'}
    """
    require_columns(turns, _INPUT_COLUMNS, labeller="truthfulness")
    # Searches run on folded copies of the texts (``transforms.casefold``), spans on the texts.
    turns, folded = with_lowered(turns, "reply_text", "user_text")
    indexed = turns.with_row_index(_ROW)
    for found in (
        _unsupported_citations(indexed),
        _unverified_figures(indexed),
        grounding.support(indexed),
    ):
        indexed = indexed.join(found, on=_ROW, how="left", maintain_order="left")
    turns = indexed.drop(_ROW).with_columns(_hedges_with_months().alias(_HEDGES), _claims())
    turns = turns.with_columns(hedge_count(pl.col(_HEDGES)).alias(_HEDGES))
    turns = turns.with_columns(_certainty_markers())
    turns = turns.with_columns(
        hedging(),
        *(
            pl.when(_REPLY.is_not_null()).then(pl.col(found).is_not_null()).alias(name)
            for name, found in _FOUND.items()
        ),
        capability_claim(),
        overconfident(),
        unsupported_by_context(),
        self_limitation(),
        _points_at_material(),
    )
    hedged = pl.col("hedging") > 0
    quoted = _REPLY.str.contains_any(['"', "“"])
    spans = _regex_spans()
    return (
        with_spans(turns.with_columns(unseen_source()), spans)
        .with_columns(
            # Where the reply has no quotation mark, the first hedge outside quotes is the first
            # hedge: the plain span, without the slow prefix capture. A reply whose only hedges sit
            # in unbalanced quotes still gets its first hedge as evidence.
            pl.when(hedged & quoted)
            .then(_hedge_evidence(hedged & quoted))
            .otherwise(_NO_EVIDENCE)
            .fill_null(pl.col(_span_name("hedging")))
            .alias("hedging__evidence"),
            *(
                _found_span(pl.col(found), pl.col(name)).alias(f"{name}__evidence")
                for name, found in _FOUND.items()
            ),
            pl.coalesce(_span_name("action"), _span_name("media")).alias(
                "capability_claim__evidence"
            ),
            pl.col(_span_name("overconfident")).alias("overconfident__evidence"),
            pl.col(_span_name("self_limitation")).alias("self_limitation__evidence"),
            _novel_evidence(pl.col("unsupported_by_context")).alias(
                "unsupported_by_context__evidence"
            ),
            _novel_evidence(pl.col("context_support") < 1).alias("context_support__evidence"),
        )
        .pipe(
            with_spans,
            {
                "unseen_source__evidence": Span(
                    "user_text",
                    pattern("truth_unseen_source"),
                    "user",
                    pl.col("unseen_source").fill_null(False),
                )
            },
        )
        .drop(
            *spans,
            *_FOUND.values(),
            "__novel_pair",
            "__novel_word",
            "__novel_number",
            _HEDGES,
            _MARKERS,
            _CLAIMS,
            _POINTS,
            *folded,
        )
    )
