"""Cheap necessary conditions for the intent labeller's regexes: which rows can match at all.

Most requests hold no harm word, and the intent labeller (``transforms.intent``) reads them as
benign after dozens of regex passes. ``may_match`` finds the rows a regex *can* match with one
Aho-Corasick pass (``str.contains_any``) over the regex's required literals on the folded text
(``transforms.casefold.fold``): a row holding none of them cannot match, so searching only the
other rows changes no result.

A regex's required literals (``required_literals``) are strings at least one of which occurs,
folded, in every match. ``transforms.scan.literal_tree`` derives the ways to choose them from the
regex itself, so a lexicon edit moves the gate with it; this module chooses among them for the
intent labeller: literals of at least ``MIN_LITERAL`` characters, no common word where a rarer
part is required, or the literals the fewest texts hold (``literal_rows``). A regex without such
literals has no gate (every row may match).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import cache

import polars as pl

from transforms.casefold import fold_literal
from transforms.intent_forms import as_written
from transforms.scan import Tree, choose, leaves, literal_tree, prune

#: Shortest literal worth a gate: shorter ones occur in most texts and only cost a pass.
MIN_LITERAL = 3

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


def _usable(literals: frozenset[str] | None) -> frozenset[str] | None:
    """Return the literals if every one is long enough to be worth a gate, else None."""
    if literals is None:
        return None
    return literals if literals and min(map(len, literals)) >= MIN_LITERAL else None


@cache
def _tree(regex: str) -> Tree | None:
    """Return the required-literal choices of ``regex`` on a folded text, as usable here."""
    return prune(literal_tree(regex, fold_literal), _usable)


@cache
def candidate_literals(regex: str) -> frozenset[str]:
    """Return every literal ``required_literals`` may choose from for ``regex``."""
    return leaves(_tree(regex))


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
    tree = _tree(regex)
    if tree is None:
        return None
    if rows is None:
        return choose(tree, _score)
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


class Gates:
    r"""Which rows may match each of some regexes, from one Aho-Corasick pass over the folded text.

    Each regex has a bit; ``bits`` is one pass (``str.extract_many``) over the required literals
    of all of them, each literal mapped to the bits of the regexes it gates, OR-ed per row.
    ``may_match`` reads one regex's bit: false means the regex cannot match the row (a regex
    without required literals has its bit on every row). At most 64 regexes.

    >>> gates = Gates([r"(?i)\bkill\b", r"(?i)\bbomb\b"])
    >>> df = pl.DataFrame({"f": ["kill bill", "a bomb", None]})
    >>> df.select(b=gates.bits(pl.col("f"))).select(
    ...     gates.may_match(pl.col("b"), r"(?i)\bbomb\b")
    ... )["b"].to_list()
    [False, True, False]
    """

    def __init__(self, regexes: Iterable[str]) -> None:
        self.index = {regex: i for i, regex in enumerate(dict.fromkeys(regexes))}
        if len(self.index) > 64:
            raise ValueError(f"{len(self.index)} regexes: a row's bits hold at most 64")
        bits: dict[str, int] = {}
        self.always = 0  # the bits of regexes without required literals
        for regex, i in self.index.items():
            literals = required_literals(regex)
            if literals is None:
                self.always |= 1 << i
            for literal in literals or ():
                bits[literal] = bits.get(literal, 0) | 1 << i
        self.literals = sorted(bits)
        self.literal_bits = [bits[literal] for literal in self.literals]

    def bits(self, folded: pl.Expr) -> pl.Expr:
        """Return each row's bits (UInt64) from its folded text: bit i set where regex i may
        match. A null text has only the bits of the regexes without required literals."""
        if not self.literals:
            return pl.lit(self.always, dtype=pl.UInt64)
        found = folded.str.extract_many(self.literals, overlapping=True).list.eval(
            pl.element()
            .replace_strict(self.literals, self.literal_bits, return_dtype=pl.UInt64)
            .bitwise_or()
        )
        return found.list.first().fill_null(0) | pl.lit(self.always, dtype=pl.UInt64)

    def may_match(self, bits: pl.Expr, regex: str) -> pl.Expr:
        """Return whether ``regex`` may match each row whose bits (``bits``) are given."""
        return (bits & pl.lit(1 << self.index[regex], dtype=pl.UInt64)) != 0


def matches(
    text: pl.Expr,
    regex: str,
    form: Callable[[str], str] = as_written,
    gate: pl.Expr | None = None,
) -> pl.Expr:
    r"""Return ``text.str.contains(form(regex))``, searching only the rows that can match.

    ``gate``: whether each row may match (``Gates.may_match``); a row where it is false is false
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
