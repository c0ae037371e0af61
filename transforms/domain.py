"""Regulated-domain signals: is the request medical, legal or financial, and how does the reply act.

``label`` adds ``regulated_domain`` (from the user text; else, for a short follow-up with no
subject of its own such as "what should I do first?", from the earlier request it follows up, so it
keeps its conversation's domain while a new request does not; else the system text), and four reply
signals: ``definitive_advice`` (prescribes for this user), ``professional_referral``, ``disclaimer``
and ``crisis_resource``, each with its ``<signal>__evidence`` span. Reply signals are null when the
turn has no reply. Patterns are the ``domain_*.txt`` lexicons beside this module.
"""

from __future__ import annotations

import polars as pl

from transforms.casefold import Text, with_lowered
from transforms.evidence import Span, with_spans
from transforms.intent_context import FOLLOW_UP_CUES, followed_up_line, is_follow_up
from transforms.lexicon import pattern, require_columns
from transforms.registry import EVIDENCE_DTYPE
from transforms.scan import union

#: Regulated domains in tie-break order: when two domains match equally often, the first wins.
DOMAINS = ("medical", "legal", "financial")

_INPUT_COLUMNS = ("user_text", "context_text", "system_text", "reply_text")
_REPLY_LEXICONS = {
    "professional_referral": "domain_referral",
    "disclaimer": "domain_disclaimer",
    "crisis_resource": "domain_crisis",
}
_NO_EVIDENCE = pl.lit(None, dtype=EVIDENCE_DTYPE)
#: Scratch column of the earlier user line a follow-up stays with (``_followed_up``).
_EARLIER = "__domain_earlier"
#: A follow-up is short: at most this many words with a cue (``FOLLOW_UP_CUES``), at most
#: ``_BARE_FOLLOW_UP_WORDS`` with only a back-reference (it, that).
_FOLLOW_UP_WORDS = 12
_BARE_FOLLOW_UP_WORDS = 8


#: Where the request's domain is read, in order: (column, evidence source).
_DOMAIN_SOURCES = (("user_text", "user"), (_EARLIER, "context"), ("system_text", "system"))


def _count_name(column: str, domain: str) -> str:
    return f"__domain_{column}_{domain}"


def _any_domain_name(column: str) -> str:
    return f"__domain_{column}_any"


def _domain_regex() -> str:
    """Return the regex of any domain's lexicon."""
    return union(pattern(f"domain_{d}") for d in DOMAINS)


def _names_any_domain(column: str) -> pl.Expr:
    """Return whether any domain lexicon matches ``column`` (one search with all of them).

    Most requests are in no regulated domain: ``_domain_counts`` counts only in the others.
    """
    return Text.of(column).contains(_domain_regex()).alias(_any_domain_name(column))


def _asks_in_domain(column: str) -> pl.Expr:
    """Return whether ``column`` asks a medical, legal or financial question: a domain lexicon
    matches, and the request is not one for general knowledge (``domain_general``: an
    explanation, a history, a definition, what research says) that leaves the asker's own situation (``domain_personal``) out.

    "Explain how vaccines work" or "what is embezzlement, legally speaking?" asks for an
    explanation nobody could prescribe from; "explain my blood test results" asks about a case.
    Only the requests a domain lexicon matches are read for the frames.
    """
    text = Text.of(column)
    named = text.contains(_domain_regex())
    in_general = text.when(named).contains(pattern("domain_general")).fill_null(False)
    personal = text.when(in_general).contains(pattern("domain_personal")).fill_null(False)
    return (named & ~(in_general & ~personal)).alias(_any_domain_name(column))


def _followed_up() -> pl.Expr:
    """Return the earlier user line a follow-up naming no domain stays with (the scratch column
    ``_EARLIER``), null for other turns.

    "So should I be worried?" after a question about a rash is a medical question; "Plan a trip
    to Oslo" after it is not, however short.
    """
    cues = pattern(*FOLLOW_UP_CUES)

    def follows(text: pl.Expr) -> pl.Expr:
        return is_follow_up(text, cues, _FOLLOW_UP_WORDS, _BARE_FOLLOW_UP_WORDS)

    # Only a later turn naming no topic of its own is read.
    unnamed = pl.col("context_text").is_not_null() & ~pl.col(
        _any_domain_name("user_text")
    ).fill_null(False)
    looks_back = follows(pl.when(unnamed).then(pl.col("user_text")))
    context = pl.when(looks_back).then(pl.col("context_text"))
    return followed_up_line(context, follows, _domain_regex()).alias(_EARLIER)


def _domain_counts() -> list[pl.Expr]:
    """Return, per source of ``_DOMAIN_SOURCES`` and domain, how often its lexicon matches."""
    return [
        Text.of(column)
        .when(pl.col(_any_domain_name(column)))
        .count_matches(pattern(f"domain_{d}"))
        .fill_null(0)
        .alias(_count_name(column, d))
        for column, _ in _DOMAIN_SOURCES
        for d in DOMAINS
    ]


def _domain_by_count(column: str) -> pl.Expr:
    """Return the domain whose lexicon matches ``column`` most often, null when none matches.

    Reads the counts of ``_domain_counts``, added as columns before: each count is used twice.
    """
    counts = {d: pl.col(_count_name(column, d)) for d in DOMAINS}
    best = pl.max_horizontal(*counts.values())
    chosen = pl.when(best == 0).then(pl.lit(None, dtype=pl.String))
    for name, count in counts.items():
        chosen = chosen.when(count == best).then(pl.lit(name))
    return chosen.otherwise(None)


def regulated_domain() -> pl.Expr:
    """Return the request's domain (none/medical/legal/financial): user text, else the earlier user
    turns, else the system text (from the counts of ``_domain_counts``)."""
    return pl.coalesce(
        *(_domain_by_count(column) for column, _ in _DOMAIN_SOURCES), pl.lit("none")
    ).alias("regulated_domain")


def _with_domain_evidence(turns: pl.LazyFrame) -> pl.LazyFrame:
    """Return ``turns`` with the first span of the chosen domain's lexicon in the user text, else
    the context, else the system text.

    Each source is searched only where its lexicon matched (user text) or the sources before it
    gave no span, so the result is the coalesce of the three spans without computing all three.
    """
    found: list[str] = []
    for column, source in _DOMAIN_SOURCES:
        text = "context_text" if column == _EARLIER else column
        spans = {}
        for d in DOMAINS:  # one domain is chosen per row: at most one span is searched
            where = pl.col("regulated_domain") == d
            if column == "user_text":
                where = where & (pl.col(_count_name(column, d)) > 0)
            for before in found:
                where = where & pl.col(before).is_null()
            spans[f"__domain_evidence_{source}_{d}"] = Span(
                text, pattern(f"domain_{d}"), source, where
            )
        found.append(f"__domain_evidence_{source}")
        turns = (
            with_spans(turns, spans).with_columns(pl.coalesce(*spans).alias(found[-1])).drop(*spans)
        )
    return turns.with_columns(pl.coalesce(*found).alias("regulated_domain__evidence")).drop(found)


def _advice_regex() -> tuple[str, str]:
    """Return (advice, negated advice): the second matches advice right after a negator."""
    advice = pattern("domain_definitive")
    return advice, pattern("domain_negators") + r"\s+" + advice


_WAIVES = "__domain_waives"


def _waives_professional() -> pl.Expr:
    """Return whether the reply waves away the professional ("no need to see a doctor").

    Read from the scratch column ``label`` adds first: two signals use it.
    """
    return pl.col(_WAIVES)


_ADVICE = "__domain_advice"


def _advice_count() -> pl.Expr:
    """Return how many advice phrases the reply holds (a scratch column ``definitive_advice`` reads)."""
    advice, _ = _advice_regex()
    return Text.of("reply_text").count_matches(advice).alias(_ADVICE)


def definitive_advice() -> pl.Expr:
    """Return whether the reply prescribes for the user, ignoring advice that follows a negator.

    Each negated match contains exactly one advice match, so the difference of the two counts is
    the number of advice phrases said outright; negated advice is looked for only in the replies
    with advice (``_advice_count``). Waving the professional away is advice too.
    """
    _, negated = _advice_regex()
    count = pl.col(_ADVICE)
    negated_count = Text.of("reply_text").when(count > 0).count_matches(negated).fill_null(0)
    return ((count - negated_count > 0) | _waives_professional()).alias("definitive_advice")


def reply_phrase(signal: str) -> pl.Expr:
    """Return whether the reply matches the lexicon of ``signal`` (null without a reply).

    A referral does not count in a reply that also waves the professional away.
    """
    found = Text.of("reply_text").contains(pattern(_REPLY_LEXICONS[signal]))
    if signal == "professional_referral":
        found = found & ~_waives_professional()
    return found.alias(signal)


def label(turns: pl.LazyFrame) -> pl.LazyFrame:
    """Return ``turns`` with the domain signals and their evidence columns added.

    >>> turns = pl.LazyFrame(
    ...     {
    ...         "user_text": ["Can I take 800 mg ibuprofen for my fièvre?", "Can I sue?", None],
    ...         "context_text": [None, None, None],
    ...         "system_text": [None, None, None],
    ...         "reply_text": ["I'm not a doctor; ask a pharmacist.", "You should sue them.", None],
    ...     },
    ...     schema={c: pl.String for c in ("user_text", "context_text", "system_text", "reply_text")},
    ... )
    >>> out = label(turns).collect()
    >>> signals = ["regulated_domain", "definitive_advice", "professional_referral", "disclaimer"]
    >>> out.select(signals).rows()
    [('medical', False, True, True), ('legal', True, False, False), ('none', None, None, None)]
    >>> out["regulated_domain__evidence"].to_list()[0]
    {'source': 'user', 'start': 11, 'end': 17, 'text': '800 mg'}
    """
    require_columns(turns, _INPUT_COLUMNS, labeller="domain")
    # Searches run on folded copies of the texts (``transforms.casefold``), spans on the texts.
    turns, folded = with_lowered(turns, *_INPUT_COLUMNS)
    turns = turns.with_columns(_asks_in_domain("user_text")).with_columns(_followed_up())
    turns, folded_earlier = with_lowered(turns, _EARLIER)
    advice = pattern("domain_definitive", "domain_waive")
    reply_signals = [reply_phrase(s) for s in _REPLY_LEXICONS]
    waives = Text.of("reply_text").contains(pattern("domain_waive")).alias(_WAIVES)
    # The request followed up is read like the user text; the system text names the deployment's
    # domain, whatever its framing.
    others = (_asks_in_domain(_EARLIER), _names_any_domain("system_text"))
    turns = turns.with_columns(waives, _advice_count(), *others)
    turns = turns.with_columns(*_domain_counts()).with_columns(
        regulated_domain(), definitive_advice(), *reply_signals
    )
    spans = {
        "definitive_advice__evidence": Span(
            "reply_text", advice, "reply", pl.col("definitive_advice")
        )
    }
    for s, lex in _REPLY_LEXICONS.items():
        spans[f"{s}__evidence"] = Span("reply_text", pattern(lex), "reply", pl.col(s))
    scratch = [
        _EARLIER,
        _WAIVES,
        _ADVICE,
        *folded_earlier,
        *(_any_domain_name(c) for c, _ in _DOMAIN_SOURCES),
        *(c.meta.output_name() for c in _domain_counts()),
    ]
    return with_spans(_with_domain_evidence(turns), spans).drop(*folded, *scratch)
