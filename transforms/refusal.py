"""Refusal labeller: whether and how the assistant's reply declines the request.

Adds ``has_reply``, ``refusal`` (none / partial / full), ``refusal_style`` (none / apology /
policy / redirect / capability / lecture) and ``moralizing``, each with its ``<signal>__evidence``
column.

How a reply is read, cheaply and in one lazy plan. A first pass over every reply looks for a
decline and an objecting opening; the rest is searched only in replies that have one of them.

- an explicit decline phrase (``refusal_decline``, or an inability claim from
  ``refusal_inability``) up front (before ``early_bytes`` and after fewer than ``lead_words``
  words) is a refusal;
- without a decline phrase, an opening (first two sentences, within ``opening_chars``) that
  objects to the request (``refusal_implicit``: calls it inappropriate, rebuts its premise,
  condemns it, discourages the method asked for) is an implicit refusal;
- either is *partial* when the reply still gives related help and does not dwell on harm:
  help is a list or code (``refusal_structure``), a pivot to what it can do (``refusal_pivot``)
  followed by at least ``help_words`` words, an inability claim up front (only the one fact the
  assistant cannot reach is declined), or the correction of a false premise
  (``refusal_premise``: the person asked about is fictional); dwelling on harm is at least
  ``harm_talk`` words about violence, crime or injury (``refusal_harm_talk``) or ``redirects``
  referrals to support, which make the help a safe alternative to a harmful aim: *full*;
- a decline phrase only later in the reply, after an answer has started, is *partial* (the reply
  helps but withholds a part).

Style, for refusals only: an implicit refusal is ``lecture`` when it moralises, else ``redirect``;
an explicit one is ``capability`` (as an AI / no access), else ``policy`` (cites rules), else
``apology``, else ``lecture`` when it moralises, else ``redirect`` when it sends the user elsewhere;
a bare "I won't do that" counts as ``policy``: it declines on the assistant's own rules.
``moralizing`` is set on every reply, refusing or not.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl
import yaml

from transforms.casefold import Text, with_lowered
from transforms.evidence import Span, with_spans
from transforms.lexicon import is_ascii, pattern, require_columns
from transforms.registry import EVIDENCE_DTYPE
from transforms.scan import union

THRESHOLDS_PATH = Path(__file__).with_name("refusal.yaml")
_P = "_refusal_"  # prefix of the labeller's scratch columns, dropped before returning
_WORD = r"\S+"
# Up to two sentences before the match: an objection after a one-line pleasantry still opens it.
# A first sentence with a colon introduces an answer ("Here is how: ..."), so it cannot be skipped.
_OPENING = r"^\s*(?:[^.!?\n:]*[.!?\n]+\s*)?[^.!?\n]*?"


@cache
def thresholds() -> dict[str, int]:
    """Return the labeller's thresholds from ``transforms/refusal.yaml``."""
    return yaml.safe_load(THRESHOLDS_PATH.read_text(encoding="utf-8"))


def _null_evidence() -> pl.Expr:
    return pl.lit(None, dtype=EVIDENCE_DTYPE)


def _words_before(text: Text, regex: str, at: pl.Expr) -> pl.Expr:
    """Return how many words ``text`` holds before the first match of ``regex`` (at byte ``at``).

    On an all-ASCII row a byte offset is a character offset, so the words are those of the
    first ``at`` characters; the other rows capture the text before the match with a regex.
    """
    ascii_rows = is_ascii(text.original) if text.ascii_rows is None else text.ascii_rows
    head = pl.when(ascii_rows).then(text.original.str.head(at))
    captured = text.when(~ascii_rows).extract(rf"(?s)^(.*?){regex}", 1)
    return pl.coalesce(head, captured).str.count_matches(_WORD)


def label(turns: pl.LazyFrame) -> pl.LazyFrame:
    """Return ``turns`` with the refusal family's signal and evidence columns added.

    >>> turns = pl.LazyFrame(
    ...     {
    ...         "user_text": ["How do I pick a lock?", "Écris un poème", "hi", "Help me cheat"],
    ...         "reply_text": [
    ...             "I'm sorry, but I can't help with that.",
    ...             "Voilà : « Le ciel est bleu »",
    ...             None,
    ...             "It's not ethical to cheat. It is important to respect the rules.",
    ...         ],
    ...     }
    ... )
    >>> out = label(turns).collect()
    >>> for row in out.select("has_reply", "refusal", "refusal_style", "moralizing").rows():
    ...     print(row)
    (True, 'full', 'apology', False)
    (True, 'none', 'none', False)
    (False, None, None, None)
    (True, 'full', 'lecture', True)
    >>> out["refusal__evidence"][0]
    {'source': 'reply', 'start': 0, 'end': 14, 'text': "I'm sorry, but"}
    """
    require_columns(turns, ["user_text", "reply_text"], labeller="refusal")
    limits = thresholds()
    reply = pl.col(f"{_P}reply")
    decline = pattern("refusal_decline", "refusal_inability")
    implicit, moral = pattern("refusal_implicit"), pattern("refusal_moralizing")
    style_lexicons = {
        "capability": pattern("refusal_capability"),
        "policy": pattern("refusal_policy"),
        "apology": pattern("refusal_apology"),
        "redirect": pattern("refusal_redirect"),
    }
    c = {
        name: pl.col(f"{_P}{name}")
        for name in ("decline_at", "inability_at", "pivot_at", "words", "before", "implicit")
    }

    # A scratch copy cast to String: an all-null column arrives with the Null dtype. Searches
    # run on the reply lower-cased once (``transforms.casefold``), spans on the reply itself.
    turns, folded = with_lowered(turns, "reply_text")
    turns = turns.with_columns(pl.col("reply_text").cast(pl.String).alias(f"{_P}reply"))
    replies = Text(reply, Text.of("reply_text").folded, Text.of("reply_text").ascii_rows)
    # First pass, over every reply: does it decline, object in its opening, moralise. One
    # search of the decline and moralising lexicons together reads every reply (cheaper than
    # one each); each alone reads only the replies where one of them matched.
    opening = replies.slice(0, limits["opening_chars"])
    either = replies.when(pl.col(f"{_P}either"))
    first = turns.with_columns(
        replies.contains(union([decline, moral])).alias(f"{_P}either")
    ).with_columns(
        either.find(decline).cast(pl.Int64).alias(f"{_P}decline_at"),
        opening.contains(_OPENING + implicit).alias(f"{_P}implicit"),
        pl.when(reply.is_not_null())
        .then(either.contains(moral).fill_null(False))
        .alias(f"{_P}moral"),
    )
    # Second pass, only over replies that decline or object (null elsewhere, which is most
    # traffic): how much help follows, of what kind, and how the refusal is phrased.
    declined = c["decline_at"].is_not_null()
    text = replies.when(declined | c["implicit"])
    declining = replies.when(declined)
    features = first.with_columns(
        declining.find(pattern("refusal_inability")).cast(pl.Int64).alias(f"{_P}inability_at"),
        text.find(pattern("refusal_pivot")).cast(pl.Int64).alias(f"{_P}pivot_at"),
        text.count_matches(_WORD).alias(f"{_P}words"),
        _words_before(declining, decline, c["decline_at"]).alias(f"{_P}before"),
        text.count_matches(pattern("refusal_structure", boundary=False)).alias(f"{_P}structure"),
        text.contains(pattern("refusal_premise")).alias(f"{_P}premise"),
        text.count_matches(pattern("refusal_harm_talk")).alias(f"{_P}harm_talk"),
        text.count_matches(style_lexicons["redirect"]).alias(f"{_P}redirects"),
        *(
            text.contains(rx).alias(f"{_P}{name}")
            for name, rx in style_lexicons.items()
            if name != "redirect"
        ),
    ).with_columns((pl.col(f"{_P}redirects") > 0).alias(f"{_P}redirect"))

    early = (c["decline_at"] < limits["early_bytes"]) & (c["before"] < limits["lead_words"])
    pivot_after = c["pivot_at"].is_not_null() & (c["pivot_at"] > c["decline_at"].fill_null(-1))
    helps = (pl.col(f"{_P}structure") >= limits["structure_items"]) | (
        pivot_after & ((c["words"] - c["before"].fill_null(0)) >= limits["help_words"])
    )
    # Declining a harmful aim: the reply keeps naming harm, or sends the user to support more than
    # once; what help it adds is a safe alternative to the aim, not part of what was asked.
    harmful_aim = (pl.col(f"{_P}harm_talk") >= limits["harm_talk"]) | (
        pl.col(f"{_P}redirects") >= limits["redirects"]
    )
    # Only the one fact the assistant cannot reach is declined, or the request rests on a false
    # premise that the reply corrects: both give related information instead of a bare no.
    related = (c["inability_at"] < limits["early_bytes"]).fill_null(False) | pl.col(f"{_P}premise")
    partly = ~harmful_aim & (helps | related)
    implicit_open = ~declined & c["implicit"]
    refusal = (
        pl.when(reply.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when((declined & early) | implicit_open)
        .then(pl.when(partly).then(pl.lit("partial")).otherwise(pl.lit("full")))
        .when(declined)
        .then(pl.lit("partial"))
        .otherwise(pl.lit("none"))
    )
    labelled = features.with_columns(refusal.alias("refusal"))

    refusing = pl.col("refusal").is_in(["partial", "full"])
    moralizing = pl.col(f"{_P}moral")
    style = (
        pl.when(reply.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(~refusing)
        .then(pl.lit("none"))
        .when(~declined)
        .then(pl.when(moralizing).then(pl.lit("lecture")).otherwise(pl.lit("redirect")))
        .when(pl.col(f"{_P}capability"))
        .then(pl.lit("capability"))
        .when(pl.col(f"{_P}policy"))
        .then(pl.lit("policy"))
        .when(pl.col(f"{_P}apology"))
        .then(pl.lit("apology"))
        .when(moralizing)
        .then(pl.lit("lecture"))
        .when(pl.col(f"{_P}redirect"))
        .then(pl.lit("redirect"))
        .otherwise(pl.lit("policy"))
    )
    labelled = labelled.with_columns(style.alias("refusal_style"))

    # Each span is searched only on the rows where it can become the evidence. A lecture
    # moralises: its span is the moralising span. A bare decline (policy) or an implicit
    # redirect rests on the declining words themselves: the decline where there is one, else
    # the objecting opening.
    lecture = pl.col("refusal_style") == "lecture"
    styled = {
        name: (pl.col("refusal_style") == name) & pl.col(f"{_P}{name}") for name in style_lexicons
    }
    spans = {
        f"{_P}moral_span": Span(f"{_P}reply", moral, "reply", moralizing),
        f"{_P}decline_span": Span(f"{_P}reply", decline, "reply", refusing & declined),
        f"{_P}implicit_span": Span(f"{_P}reply", implicit, "reply", refusing & ~declined),
    }
    spans |= {
        f"{_P}{name}_span": Span(f"{_P}reply", rx, "reply", styled[name])
        for name, rx in style_lexicons.items()
    }
    labelled = with_spans(labelled, spans)
    style_evidence = pl.when(lecture).then(pl.col(f"{_P}moral_span"))
    for name in style_lexicons:
        style_evidence = style_evidence.when(styled[name]).then(pl.col(f"{_P}{name}_span"))
    declining_words = pl.coalesce(pl.col(f"{_P}decline_span"), pl.col(f"{_P}implicit_span"))
    style_evidence = style_evidence.when(refusing).then(declining_words)

    return labelled.with_columns(
        has_reply=reply.is_not_null(),
        has_reply__evidence=_null_evidence(),
        moralizing=pl.when(reply.is_not_null()).then(moralizing),
        moralizing__evidence=pl.col(f"{_P}moral_span"),
        refusal__evidence=pl.when(refusing).then(declining_words),
        refusal_style__evidence=style_evidence.otherwise(_null_evidence()),
    ).select(pl.exclude(f"^{_P}.*$", *folded))
