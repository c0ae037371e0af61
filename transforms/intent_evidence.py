"""Evidence of the intent labeller's signals: the span each of a turn's verdicts rests on.

``evidence`` reads a frame of labelled turns (the columns of ``KEYS``: the request, the earlier
turns, the labels and how they were reached) and adds the evidence columns of
``transforms.intent`` (``COLUMNS``): the category's first match in the request or, for a
category carried over from the earlier turns, in ``context_text``; for a harmful request the
override, request or jailbreak words, else the category's span; the jailbreak and imminent-danger
words. Each span is searched only on the rows whose evidence it can become.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial

import polars as pl

from transforms import intent_content
from transforms.lexicon import pattern, span
from transforms.registry import EVIDENCE_DTYPE

#: The columns a turn's evidence is built from: the request (``user``, "" for none) and the
#: earlier turns' text, the request's own category (null when it has none), whether the
#: category and intent were carried over from the earlier turns, whether the request itself
#: holds jailbreak framing, and the four labels.
KEYS = (
    "user",
    "context_text",
    "own_category",
    "from_context",
    "jail_user",
    "harm_category",
    "prompt_intent",
    "jailbreak_framing",
    "imminent_danger",
)

#: The evidence columns ``evidence`` adds, in order.
COLUMNS = (
    "harm_category__evidence",
    "prompt_intent__evidence",
    "jailbreak_framing__evidence",
    "imminent_danger__evidence",
)


def _category_span(
    column: str,
    source: str,
    where: pl.Expr,
    named: Iterable[str],
    form: Callable[[str], str],
    *,
    chosen: pl.Expr,
    categories: Sequence[str],
    content_window: int,
    starts: dict[str, pl.Expr],
) -> pl.Expr:
    """Return the evidence span of the chosen category's lexicon in ``column`` (else of a
    self-harm disclosure), null without either.

    Each lexicon is searched only on the rows of its category where ``where`` holds, and only
    for the categories in ``named`` (those some row chose: a search for another finds no row),
    tried in the order of ``categories``, written as ``form`` gives it. ``starts`` collects the
    columns the spans read (``_first_span``), to be added first.
    """
    named = set(named)
    chain = pl.when(pl.lit(False)).then(pl.lit(None, dtype=EVIDENCE_DTYPE))
    for name in (name for name in categories if name in named):
        chosen_here = chosen == name
        regexes = [form(regex) for regex in _category_regexes(name, content_window)]
        found = _first_span(
            column, regexes, source=source, where=where & chosen_here, starts=starts
        )
        chain = chain.when(chosen_here).then(found)
    # A self-harm category may rest on a first-person disclosure rather than a harm term.
    disclosure = span(column, form(pattern("intent_disclosure")), source=source, where=where)
    return pl.coalesce(chain.otherwise(pl.lit(None, dtype=EVIDENCE_DTYPE)), disclosure)


def _category_regexes(name: str, content_window: int) -> tuple[str, ...]:
    """Return the regexes whose first match evidences category ``name``: its harm lexicon and,
    for a category the content reading finds, the words that found it (each once)."""
    regexes = [pattern(f"harm_{name}")]
    if name == "hate":
        regexes += intent_content.hate_patterns(content_window)
    elif name in intent_content.CATEGORIES:
        regexes.append(intent_content.patterns(content_window)[name])
    return tuple(dict.fromkeys(regexes))


def _first_span(
    column: str,
    regexes: Sequence[str],
    *,
    source: str,
    where: pl.Expr,
    starts: dict[str, pl.Expr],
) -> pl.Expr:
    """Return ``span`` of the alternation of ``regexes`` (``a|b|...``), searching each alone.

    The alternation's first match is the earliest match of any of them, the first regex in order
    winning a tie: that is how the engine chooses among alternatives. Searched alone, no large
    alternation is compiled (joined, the hate regexes outgrow the lazy automaton's cache and run
    a hundred times slower); each span is then taken only where its regex is the one chosen.
    Where each regex starts is a column, added to ``starts``, so each is searched once.
    """
    if len(regexes) == 1:
        return span(column, regexes[0], source=source, where=where)
    text = pl.when(where).then(pl.col(column))
    names = [f"__start_{len(starts) + i}" for i in range(len(regexes))]
    starts |= {name: text.str.find(regex) for name, regex in zip(names, regexes, strict=True)}
    first = pl.min_horizontal(names)
    return pl.coalesce(
        span(column, regex, source=source, where=(pl.col(name) == first).fill_null(False))
        for regex, name in zip(regexes, names, strict=True)
    )


def evidence(
    labelled: pl.DataFrame,
    *,
    categories: Sequence[str],
    content_window: int,
    user_form: Callable[[str], str],
    context_form: Callable[[str], str],
) -> pl.DataFrame:
    """Return ``labelled`` (the columns of ``KEYS``) with the evidence columns (``COLUMNS``).

    ``categories``: the harm categories in the order they are tried; ``content_window``: the
    window of the content patterns (``intent_content.patterns``); ``user_form`` and
    ``context_form``: how a regex is written for the user and the context texts.
    """
    jailbreak, imminent = pattern("intent_jailbreak"), pattern("intent_imminent")
    override = pattern("intent_override")
    own_cat = pl.col("own_category")
    # Each span is searched only on the rows whose evidence it can become (a superset, with nulls).
    category = pl.col("harm_category")
    harm_named = category.ne_missing("none")
    in_user = harm_named & (~pl.col("from_context") | own_cat.is_not_null()).fill_null(True)
    in_context = harm_named & (pl.col("from_context") & own_cat.is_null()).fill_null(True)
    # Only the categories some row names are searched for: the others would find no row.
    named = labelled.select(
        *(
            category.filter(where).unique().implode().alias(n)
            for n, where in (("u", in_user), ("c", in_context))
        )
    ).row(0)
    starts: dict[str, pl.Expr] = {}
    category_span = partial(
        _category_span,
        chosen=category,
        categories=categories,
        content_window=content_window,
        starts=starts,
    )
    category_evidence = (
        pl.when(category == "none")
        .then(pl.lit(None, dtype=EVIDENCE_DTYPE))
        .when(~pl.col("from_context") | own_cat.is_not_null())
        .then(category_span("user", "user", in_user, named[0], user_form))
        .otherwise(category_span("context_text", "context", in_context, named[1], context_form))
    )
    # A harmful verdict rests on the operational or override words; an ambiguous one on the harm.
    harmful = pl.col("prompt_intent") == "harmful"
    action = pattern("intent_request", "intent_operational")
    action_evidence = pl.coalesce(
        span("user", user_form(override), source="user", where=harmful),
        span("user", user_form(action), source="user", where=harmful),
        span("user", user_form(jailbreak), source="user", where=harmful),
    )
    imminent_now = pl.col("imminent_danger")
    imminent_evidence = pl.coalesce(
        span("user", user_form(imminent), source="user", where=imminent_now),
        span("user", user_form(pattern("intent_plan")), source="user", where=imminent_now),
    )
    category_found = pl.col("harm_category__evidence")
    return (
        labelled.lazy()
        .with_columns(**starts)
        .with_columns(harm_category__evidence=category_evidence)
        .with_columns(
            prompt_intent__evidence=pl.when(harmful)
            .then(pl.coalesce(action_evidence, category_found))
            .when(pl.col("prompt_intent") == "ambiguous")
            .then(category_found)
            .otherwise(pl.lit(None, dtype=EVIDENCE_DTYPE)),
            jailbreak_framing__evidence=pl.when(pl.col("jail_user"))
            .then(span("user", user_form(jailbreak), source="user", where=pl.col("jail_user")))
            .when(pl.col("jailbreak_framing"))
            .then(
                span(
                    "context_text",
                    context_form(jailbreak),
                    source="context",
                    where=pl.col("jailbreak_framing"),
                )
            ),
            imminent_danger__evidence=pl.when(imminent_now).then(imminent_evidence),
        )
        .select(*KEYS, *COLUMNS)
        .collect(engine="in-memory")
    )
