"""The intent labeller's choice of required literals, and its searches on the rows that can match.

Most requests hold no harm word, and the intent labeller (``transforms.intent``) reads them as
benign after dozens of regex passes. Its harm and content regexes are searched only on the rows
holding one of their required literals, found for all of them in one pass over the folded text
(``transforms.sieve.Sieve``, given ``required_literals``); ``matches`` and ``count_matches`` then
search a regex only on the rows its bit allows. ``may_match`` tests in one pass
(``str.contains_any``) whether a text holds a required literal of any of several regexes.

A regex's required literals are strings at least one of which occurs, folded, in every match
(``transforms.sieve.literal_choices`` reads the ways to choose them from the regex, so a lexicon
edit moves the gate with it). This module chooses among them for the intent labeller: no common
word where a rarer part is required, then the longest, or the literals the fewest texts hold
(``literal_rows``). A regex without such literals has no gate (every row may match).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import cache

import polars as pl

from transforms.intent_forms import as_written
from transforms.scan import choose, leaves
from transforms.sieve import gate_literals, literal_choices

#: Everyday words: a literal that is one of them occurs in most texts, so another required part of
#: the regex, if it has one, makes the better gate.
_COMMON_WORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "as",
        "about",
        "into",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "am",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "can",
        "could",
        "will",
        "would",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "not",
        "no",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "he",
        "him",
        "his",
        "she",
        "her",
        "it",
        "its",
        "they",
        "them",
        "their",
        "this",
        "that",
        "these",
        "those",
        "what",
        "who",
        "whom",
        "which",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "some",
        "one",
        "make",
        "get",
        "use",
        "go",
        "so",
        "just",
        "very",
    }
)


@cache
def _score(literals: frozenset[str]) -> tuple[bool, int, int]:
    """Return how good a gate the literals make: none a common word, then longest, then fewest."""
    common = any(
        " ".join(s.split()) in _COMMON_WORDS or s.strip() in _COMMON_WORDS for s in literals
    )
    return not common, min(len(s.strip()) for s in literals), -len(literals)


@cache
def candidate_literals(regex: str) -> frozenset[str]:
    """Return every literal ``required_literals`` may choose from for ``regex``."""
    return leaves(literal_choices(regex))


def required_literals(
    regex: str, *, rows: Mapping[str, int] | None = None
) -> frozenset[str] | None:
    """Return folded strings one of which occurs in the folded text of any match, or None.

    ``rows``: how many texts hold each literal
    (``literal_rows``); the literals held by the fewest texts are then chosen, else the longest
    that are no common word.

    >>> sorted(required_literals(r"(?i)\\b(?:kill|murder)\\s+(?:him|her)\\b"))
    ['kill', 'murder']
    >>> sorted(required_literals(r"(?i)\\bpipe\\s+bombs?\\b"))
    ['pipe']
    >>> sorted(required_literals(r"(?i)\\bpipe\\s+bombs?\\b", rows={"pipe": 9, "bomb": 1}))
    ['bomb', 'bombs']
    >>> required_literals(r"(?i)\\b\\w+ing\\b|\\bno\\b") is None
    True
    """
    if rows is None:
        return gate_literals(regex, _score)
    tree = literal_choices(regex)
    if tree is None:
        return None
    return choose(tree, lambda lits: (-sum(rows.get(s, 0) for s in lits), _score(lits)))


def literal_rows(folded: pl.Series, literals: Iterable[str]) -> dict[str, int]:
    """Return how many of the ``folded`` texts hold each of ``literals`` (absent: none)."""
    found = (
        folded.str.extract_many(sorted(set(literals)), overlapping=True)
        .list.unique()
        .explode()
        .drop_nulls()
        .value_counts()
    )
    return dict(found.iter_rows())


def may_match(
    folded: pl.Expr,
    *regexes: str,
    rows: Mapping[str, int] | None = None,
) -> pl.Expr:
    """Return whether ``folded`` (a folded text) holds a required literal of any of ``regexes``.

    False means none of them can match the text; a regex without required literals makes every
    row true. Null texts give null. ``rows`` as in ``required_literals``.
    """
    literals: set[str] = set()
    for regex in regexes:
        found = required_literals(regex, rows=rows)
        if found is None:
            return folded.is_not_null() | folded.is_null()
        literals |= found
    return folded.str.contains_any(sorted(literals))


def matches(
    text: pl.Expr,
    regex: str,
    form: Callable[[str], str] = as_written,
    gate: pl.Expr | None = None,
) -> pl.Expr:
    r"""Return ``text.str.contains(form(regex))``, searching only the rows that can match.

    ``gate``: whether each row may match (``Sieve.may_match``); a row where it is false is false
    without a search, the others are searched with ``str.find`` (which, unlike
    ``str.contains``, skips the rows set aside). Without it every row is searched.

    >>> df = pl.DataFrame({"t": ["Kill Bill", "bill", None]})
    >>> may = pl.col("t").str.to_lowercase().str.contains("kill", literal=True)
    >>> df.select(matches(pl.col("t"), r"(?i)\bkill\b", gate=may))["t"].to_list()
    [True, False, None]
    """
    if gate is None:
        return text.str.contains(form(regex))
    found = pl.when(gate).then(text).str.find(form(regex)).is_not_null()
    return pl.when(text.is_not_null()).then(found)


def count_matches(
    text: pl.Expr,
    regex: str,
    form: Callable[[str], str] = as_written,
    gate: pl.Expr | None = None,
) -> pl.Expr:
    """Return ``text.str.count_matches(form(regex))``, counting only the rows ``gate`` leaves
    (``matches``; the others count 0)."""
    if gate is None:
        return text.str.count_matches(form(regex))
    counted = pl.when(gate).then(text).str.count_matches(form(regex)).fill_null(0)
    return pl.when(text.is_not_null()).then(counted)
