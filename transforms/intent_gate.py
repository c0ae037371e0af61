"""Cheap necessary conditions for the intent labeller's regexes: which rows can match at all.

Most requests hold no harm word, and the intent labeller (``transforms.intent``) reads them as
benign after dozens of regex passes. ``may_match`` finds the rows a regex *can* match with one
Aho-Corasick pass (``str.contains_any``) over the regex's required literals on the folded text
(``transforms.casefold.fold``): a row holding none of them cannot match, so searching only the
other rows changes no result.

A regex's required literals (``required_literals``) are strings at least one of which occurs,
folded, in every match: an alternation needs one of its branches' literals, a concatenation the
best of its parts (a run of fixed characters, or a part that is required), an optional part
nothing. They are derived from the regex itself with Python's regex parser, so a lexicon edit
moves the gate with it; a regex the parser reads differently from the Rust engine (POSIX classes)
or without a literal of at least ``MIN_LITERAL`` characters has no gate (every row may match).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache

import polars as pl

from transforms.casefold import fold_literal

try:  # Python 3.11+
    from re import _constants as sre
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as sre  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

#: Shortest literal worth a gate: shorter ones occur in most texts and only cost a pass.
MIN_LITERAL = 3

#: Largest set of strings a fixed part may spell before it is no longer expanded.
_MAX_STRINGS = 64


def _product(left: frozenset[str], right: frozenset[str]) -> frozenset[str] | None:
    if len(left) * len(right) > _MAX_STRINGS:
        return None
    return frozenset(a + b for a, b in itertools.product(left, right))


def _fixed(item: tuple) -> frozenset[str] | None:
    """Return every folded string a parsed item can match, None when not a small finite set."""
    op, arg = item
    if op is sre.LITERAL:
        return frozenset({fold_literal(chr(arg))})
    if op is sre.AT:
        return frozenset({""})  # zero width: the parts around it are adjacent in the text
    if op is sre.SUBPATTERN:
        return _fixed_seq(arg[-1])
    if op is sre.BRANCH:
        sets = [_fixed_seq(branch) for branch in arg[1]]
        if any(s is None for s in sets):
            return None
        union = frozenset().union(*sets)
        return union if len(union) <= _MAX_STRINGS else None
    if op is sre.IN:
        if any(member_op is not sre.LITERAL for member_op, _ in arg):
            return None
        return frozenset(fold_literal(chr(c)) for _, c in arg)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        low, high, body = arg
        inner = _fixed_seq(body)
        if inner is None or high > 3:
            return None
        out: set[str] = set()
        for count in range(low, high + 1):
            strings: frozenset[str] | None = frozenset({""})
            for _ in range(count):
                strings = _product(strings, inner) if strings is not None else None
            if strings is None:
                return None
            out |= strings
        return frozenset(out) if len(out) <= _MAX_STRINGS else None
    return None


def _fixed_seq(items: list) -> frozenset[str] | None:
    strings: frozenset[str] | None = frozenset({""})
    for item in items:
        part = _fixed(item)
        if part is None or strings is None:
            return None
        strings = _product(strings, part)
    return strings


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


def _usable(literals: frozenset[str] | None, spaced: bool) -> frozenset[str] | None:
    """Return the literals as searched (their longest space-free piece if ``spaced``), if usable."""
    if literals is None:
        return None
    if spaced:
        literals = frozenset(max(s.split(" "), key=len) for s in literals)
    return literals if literals and min(map(len, literals)) >= MIN_LITERAL else None


#: A tree of the ways a regex's required literals can be chosen: a literal set (a leaf), a
#: concatenation (``("seq", parts)``: any one part will do) or an alternation (``("alt",
#: branches)``: one choice per branch, joined).
Tree = frozenset[str] | tuple[str, tuple["Tree", ...]]


def _required_seq(items: list, spaced: bool) -> Tree | None:
    """Return the tree of required-literal choices of a concatenation of parsed items, or None."""
    candidates: list[Tree] = []
    run: frozenset[str] = frozenset({""})

    def close() -> None:
        usable = _usable(run, spaced)
        if usable is not None:
            candidates.append(usable)

    for item in items:
        part = _fixed(item)
        previous = run
        if part is not None:
            joined = _product(run, part)
            if joined is None:
                close()
                joined = part
            run = joined
            continue
        close()
        run = frozenset({""})
        op, arg = item
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and 1 <= arg[0] <= 3:
            # At least ``low`` copies of a fixed body: they follow the part before and, the
            # last ones, precede the part after ("xxx+" holds "xxx").
            body = _fixed_seq(arg[2])
            copies = _fixed((sre.MAX_REPEAT, (arg[0], arg[0], arg[2]))) if body else None
            if copies is not None:
                joined = _product(previous, copies)
                if joined is not None:
                    usable = _usable(joined, spaced)
                    if usable is not None:
                        candidates.append(usable)
                run = copies
                continue
        child = _required_item(item, spaced)
        if child is not None:
            candidates.append(child)
    close()
    return ("seq", tuple(candidates)) if candidates else None


def _required_item(item: tuple, spaced: bool) -> Tree | None:
    op, arg = item
    if op is sre.SUBPATTERN:
        return _required_seq(arg[-1], spaced)
    if op is sre.BRANCH:
        branches = [_required_seq(branch, spaced) for branch in arg[1]]
        if any(b is None for b in branches):
            return None
        return ("alt", tuple(branches))
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and arg[0] >= 1:
        return _required_seq(arg[2], spaced)
    return None


def _choose(tree: Tree, score: Callable[[frozenset[str]], tuple]) -> frozenset[str]:
    """Return the literal set the tree gives when each concatenation takes its best part."""
    if isinstance(tree, frozenset):
        return tree
    kind, parts = tree
    choices = [_choose(part, score) for part in parts]
    if kind == "alt":
        return frozenset().union(*choices)
    return max(choices, key=score)


def _leaves(tree: Tree) -> set[str]:
    if isinstance(tree, frozenset):
        return set(tree)
    return set().union(*(_leaves(part) for part in tree[1]))


@cache
def _tree(regex: str, spaced: bool) -> Tree | None:
    # POSIX classes ("[[:word:]]") read as plain characters to Python's parser.
    if "[:" in regex:
        return None
    # Case flags do not move a folded literal; Python refuses a global flag after the start.
    regex = re.sub(r"(?<!\\)\(\?i\)", "", regex)
    try:
        parsed = sre_parse.parse(regex)
    except (re.error, OverflowError, RecursionError):
        return None
    return _required_seq(list(parsed), spaced)


@cache
def candidate_literals(regex: str, *, spaced: bool = False) -> frozenset[str]:
    """Return every literal ``required_literals`` may choose from for ``regex``."""
    tree = _tree(regex, spaced)
    return frozenset() if tree is None else frozenset(_leaves(tree))


def required_literals(
    regex: str, *, spaced: bool = False, rows: Mapping[str, int] | None = None
) -> frozenset[str] | None:
    """Return folded strings one of which occurs in the folded text of any match, or None.

    ``spaced``: the regex searches a text in which spaces were put in place of removed words
    (the intent labeller's masked text); each literal is then cut to its longest piece without
    a space, which the original text holds too. ``rows``: how many texts hold each literal
    (``literal_rows``); the literals held by the fewest texts are then chosen, else the longest
    that are no common word.

    >>> sorted(required_literals(r"(?i)\\b(?:kill|murder)\\s+(?:him|her)\\b"))
    ['kill', 'murder']
    >>> sorted(required_literals(r"(?i)\\bpipe bombs?\\b|\\bNapalm\\b", spaced=True))
    ['bombs', 'napalm', 'pipe']
    >>> sorted(required_literals(r"(?i)\\bpipe\\s+bombs?\\b"))
    ['pipe']
    >>> sorted(required_literals(r"(?i)\\bpipe\\s+bombs?\\b", rows={"pipe": 9, "bomb": 1}))
    ['bomb', 'bombs']
    >>> required_literals(r"(?i)\\b\\w+ing\\b|\\bno\\b") is None
    True
    """
    tree = _tree(regex, spaced)
    if tree is None:
        return None
    if rows is None:
        return _choose(tree, _score)
    return _choose(tree, lambda lits: (-sum(rows.get(s, 0) for s in lits), _score(lits)))


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


def as_written(regex: str) -> str:
    """Return ``regex`` unchanged: the form a regex is searched in when no cheaper one applies."""
    return regex


def may_match(
    folded: pl.Expr,
    *regexes: str,
    spaced: bool = False,
    rows: Mapping[str, int] | None = None,
) -> pl.Expr:
    """Return whether ``folded`` (a folded text) holds a required literal of any of ``regexes``.

    False means none of them can match the text; a regex without required literals makes every
    row true. Null texts give null. ``spaced`` and ``rows`` as in ``required_literals``.
    """
    literals: set[str] = set()
    for regex in regexes:
        found = required_literals(regex, spaced=spaced, rows=rows)
        if found is None:
            return folded.is_not_null() | folded.is_null()
        literals |= found
    return folded.str.contains_any(sorted(literals))
