"""Intent labeller: what the user's request is after, and whether it asks for help toward harm.

Adds ``prompt_intent`` (benign / ambiguous / harmful), ``harm_category``, ``jailbreak_framing`` and
``imminent_danger``, each with its ``<signal>__evidence`` column (spans in ``user_text``, source
``user``; or in the earlier user lines of ``context_text``, source ``context``).

How a request is read, in one lazy plan:

1. harmless phrases made of harm words (``intent_homonym``: kill a process, kill weeds, the joke
   killed) are masked out of the request and of the earlier user lines;
2. the harm lexicons (``harm_<category>``) run on what is left, in the order of ``CATEGORIES``
   (sexual_minors first), on the request, else on the earlier user lines (a goal set up before);
3. a harm hit is *harmful* when the request has operational intent (``intent_operational``: how
   to, make, buy, step by step...) or jailbreak framing, *ambiguous* otherwise;
4. a harm hit inside a benign frame is *benign*: a short definition or history question
   (``intent_definitional``, at the start of a request of at most ``definition_max_words``
   words) or a game / fiction / sport context (``intent_safe_context``, also read from
   ``system_text``) -- unless an override (``intent_override``: exact steps, synthesis, evading
   detection, praising an atrocity) shows the frame is a wrapper, which makes it *harmful*.

``harm_category`` is the matched category for ambiguous and harmful requests, ``none`` for benign
ones. ``jailbreak_framing`` and ``imminent_danger`` are plain lexicon hits (jailbreak also in the
earlier user lines). Every prompt signal is set, also when there is no reply; a null
``user_text`` counts as an empty request.

Known limits: the evidence span of a category is its first match in the unmasked text, so in
"kill a process, then kill my boss" it points at the first "kill"; a category found only in the
earlier turns points at its first match in ``context_text``, which may be in an assistant line.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl
import yaml

from transforms.lexicon import pattern, require_columns, span
from transforms.registry import EVIDENCE_DTYPE

THRESHOLDS_PATH = Path(__file__).with_name("intent.yaml")

#: Harm categories in the order they are tried: the first whose lexicon matches wins.
CATEGORIES = (
    "sexual_minors",
    "self_harm",
    "extremism",
    "violence_weapons",
    "cyber",
    "illicit_drugs",
    "privacy",
    "fraud",
    "hate",
    "harassment",
    "sexual",
    "other",
)

_P = "_intent_"  # prefix of the labeller's scratch columns, dropped before returning
_CONTEXT_USER_LINES = r"(?m)^user:[^\n]*"


@cache
def thresholds() -> dict[str, int]:
    """Return the labeller's thresholds from ``transforms/intent.yaml``."""
    return yaml.safe_load(THRESHOLDS_PATH.read_text(encoding="utf-8"))


def _first_category(hit: dict[str, pl.Expr]) -> pl.Expr:
    """Return the first category in ``CATEGORIES`` whose hit expression is true, else null."""
    chain = pl.when(hit[CATEGORIES[0]]).then(pl.lit(CATEGORIES[0]))
    for name in CATEGORIES[1:]:
        chain = chain.when(hit[name]).then(pl.lit(name))
    return chain.otherwise(pl.lit(None, dtype=pl.String))


def _category_span(column: str, chosen: pl.Expr, *, source: str) -> pl.Expr:
    """Return the evidence span of the chosen category's lexicon in ``column``, else null."""
    chain = pl.when(chosen == CATEGORIES[0]).then(
        span(column, pattern(f"harm_{CATEGORIES[0]}"), source=source)
    )
    for name in CATEGORIES[1:]:
        chain = chain.when(chosen == name).then(
            span(column, pattern(f"harm_{name}"), source=source)
        )
    return chain.otherwise(pl.lit(None, dtype=EVIDENCE_DTYPE))


def label(turns: pl.LazyFrame) -> pl.LazyFrame:
    """Return ``turns`` with the intent family's signal and evidence columns added.

    >>> turns = pl.LazyFrame(
    ...     {
    ...         "user_text": [
    ...             "How do I kill a Python process?",
    ...             "How do I make a pipe bomb?",
    ...             "Señor, qu'est-ce que le terrorisme ?",
    ...             None,
    ...         ],
    ...         "system_text": [None, None, None, None],
    ...         "context_text": [None, None, None, None],
    ...     }
    ... )
    >>> out = label(turns).collect()
    >>> for row in out.select("prompt_intent", "harm_category", "jailbreak_framing").rows():
    ...     print(row)
    ('benign', 'none', False)
    ('harmful', 'violence_weapons', False)
    ('ambiguous', 'extremism', False)
    ('benign', 'none', False)
    >>> out["harm_category__evidence"][1]
    {'source': 'user', 'start': 16, 'end': 25, 'text': 'pipe bomb'}
    >>> out["harm_category__evidence"][2]
    {'source': 'user', 'start': 25, 'end': 35, 'text': 'terrorisme'}
    """
    require_columns(turns, ["user_text", "system_text", "context_text"], labeller="intent")
    limits = thresholds()
    # Scratch copies cast to String: an all-null column arrives with the Null dtype.
    user = pl.col("user_text").cast(pl.String).fill_null("")
    context_text = pl.col("context_text").cast(pl.String)
    context_user = context_text.fill_null("").str.extract_all(_CONTEXT_USER_LINES).list.join("\n")
    homonym = pattern("intent_homonym")
    harm = {name: pattern(f"harm_{name}") for name in CATEGORIES}
    operational, override = pattern("intent_operational"), pattern("intent_override")
    jailbreak, safe_context = pattern("intent_jailbreak"), pattern("intent_safe_context")
    imminent = pattern("intent_imminent")
    definitional = r"^\W*(?:(?:please|so|ok|okay|hey|hi),?\s+)?" + pattern("intent_definitional")

    col = {n: pl.col(f"{_P}{n}") for n in ("user", "context", "masked_user", "masked_context")}
    base = turns.with_columns(
        user.alias(f"{_P}user"),
        context_text.alias(f"{_P}context_text"),
        context_user.alias(f"{_P}context"),
    ).with_columns(
        col["user"].str.replace_all(homonym, " ").alias(f"{_P}masked_user"),
        col["context"].str.replace_all(homonym, " ").alias(f"{_P}masked_context"),
    )
    jail_user = col["user"].str.contains(jailbreak)
    jail_context = col["context"].str.contains(jailbreak)
    features = base.with_columns(
        _first_category({n: col["masked_user"].str.contains(rx) for n, rx in harm.items()}).alias(
            f"{_P}cat_user"
        ),
        _first_category(
            {n: col["masked_context"].str.contains(rx) for n, rx in harm.items()}
        ).alias(f"{_P}cat_context"),
        jail_user.alias(f"{_P}jail_user"),
        (jail_user | jail_context).alias("jailbreak_framing"),
        (col["user"].str.contains(operational) | col["context"].str.contains(override)).alias(
            f"{_P}operational"
        ),
        col["user"].str.contains(override).alias(f"{_P}override"),
        (
            col["user"].str.contains(definitional)
            & (col["user"].str.count_matches(r"\S+") <= limits["definition_max_words"])
        ).alias(f"{_P}definitional"),
        (
            col["user"].str.contains(safe_context)
            | pl.col("system_text").cast(pl.String).fill_null("").str.contains(safe_context)
        ).alias(f"{_P}safe_context"),
        col["user"].str.contains(imminent).alias("imminent_danger"),
    )

    category = pl.coalesce(pl.col(f"{_P}cat_user"), pl.col(f"{_P}cat_context"))
    wants_action = pl.col(f"{_P}operational") | pl.col("jailbreak_framing")
    intent = (
        pl.when(category.is_null())
        .then(pl.lit("benign"))
        .when(pl.col(f"{_P}override"))
        .then(pl.lit("harmful"))
        .when(pl.col(f"{_P}safe_context"))
        .then(pl.lit("benign"))
        # A definition or history question is only benign while it asks for no method.
        .when(pl.col(f"{_P}definitional") & ~wants_action)
        .then(pl.lit("benign"))
        .when(wants_action)
        .then(pl.lit("harmful"))
        .otherwise(pl.lit("ambiguous"))
    )
    labelled = features.with_columns(intent.alias("prompt_intent")).with_columns(
        pl.when(pl.col("prompt_intent") == "benign")
        .then(pl.lit("none"))
        .otherwise(category)
        .alias("harm_category")
    )

    from_user = pl.col(f"{_P}cat_user").is_not_null()
    category_evidence = (
        pl.when(pl.col("harm_category") == "none")
        .then(pl.lit(None, dtype=EVIDENCE_DTYPE))
        .when(from_user)
        .then(_category_span(f"{_P}user", pl.col("harm_category"), source="user"))
        .otherwise(_category_span(f"{_P}context_text", pl.col("harm_category"), source="context"))
    )
    # A harmful verdict rests on the operational or override words; an ambiguous one on the harm.
    action_evidence = pl.coalesce(
        span(f"{_P}user", override, source="user"),
        span(f"{_P}user", operational, source="user"),
        span(f"{_P}user", jailbreak, source="user"),
    )
    return labelled.with_columns(
        harm_category__evidence=category_evidence,
        prompt_intent__evidence=pl.when(pl.col("prompt_intent") == "harmful")
        .then(pl.coalesce(action_evidence, category_evidence))
        .when(pl.col("prompt_intent") == "ambiguous")
        .then(category_evidence)
        .otherwise(pl.lit(None, dtype=EVIDENCE_DTYPE)),
        jailbreak_framing__evidence=pl.when(pl.col(f"{_P}jail_user"))
        .then(span(f"{_P}user", jailbreak, source="user"))
        .when(pl.col("jailbreak_framing"))
        .then(span(f"{_P}context_text", jailbreak, source="context")),
        imminent_danger__evidence=pl.when(pl.col("imminent_danger")).then(
            span(f"{_P}user", imminent, source="user")
        ),
    ).select(pl.exclude(f"^{_P}.*$"))
