r"""Gating: search a column with an expensive regex only on the rows where it can match.

Every match of a regex holds at least one of a few literal strings, its *required literals*:
``\bi (?:cannot|can't) help\b`` cannot match a text without "cannot help" or "can't help"; an
alternation needs one literal of any branch; a part that may be skipped (``x?``, ``x*``) requires
nothing. A row whose text holds none of them cannot match, so searching only the rows that hold
one gives the same result on every row: gating is exact by construction, never a heuristic.

- ``literal_tree(regex)`` is the one reading of a regex into its required literals: a tree of
  the ways to choose them (a concatenation needs any one of its parts, an alternation one choice
  per branch), read with Python's regex parser after rewriting the Rust syntax it reads
  otherwise. With ``fold`` (``casefold.fold_literal``) the literals are those of a folded text,
  whatever the case flags. ``choose`` picks a set by a caller's preference; ``prune`` drops
  the leaves a caller cannot use (``transforms.intent_gate`` chooses by how many texts hold them).
- ``required_literals(regex)`` chooses the longest literals of a *detection* regex
  (``transforms.casefold``: lower-cased, no ``(?i)``), or returns None when some match needs no
  literal at all.
- ``candidates(text, regex)`` is the Boolean column "may match" (null where ``text`` is null);
  ``gate(text, regex)`` is ``text`` where it may match and null elsewhere.
- ``union(regexes)`` is their alternation: one regex search that says which rows any of them
  matches, after which each is searched on those rows only (``Text.when``).

What pays, measured on 40k generated turns with Polars 2.1 (CPU, one thread). The regex engine
already skips to its literals with a SIMD prefilter, and Polars' Aho-Corasick (``contains_any``,
``extract_many``) is 2 to 5 times slower than a regex search for the same literals (52 ms against
20 ms for 203 literals over the replies), so a literal pre-pass in front of a lexicon regex costs
more than it saves. Gating pays where the regex cannot skip: a rewrite (``Text.replace_all`` of
quotations copies every row it searches) or a regex with a leading capture. A ``union`` pays
where a few lexicons are searched in a long text most rows match none of: the eight group
lexicons over the context cost 87 ms as eight searches and 26 ms as one (6.5% of rows match).
Two rules hold whatever the regex: ``str.contains`` reads every row's string, also the rows a
``when`` set to null (``str.find``, ``count_matches`` and ``extract`` skip them, so a sparse
``Text`` tests with ``find``); and Polars evaluates an expression again at every place it appears
inside ``when``, so a count or flag read twice is added as a scratch column first.

>>> import polars as pl
>>> regex = r"\b(?:i(?:'m| am) sorry|(?:cannot|can't) help)\b"
>>> sorted(required_literals(regex))
["can't help", 'cannot help', 'i am sorry', "i'm sorry"]
>>> df = pl.DataFrame({"t": ["i am sorry, no.", "sure! here it is", None]})
>>> df.select(candidates(pl.col("t"), regex))["t"].to_list()
[True, False, None]
>>> df.select(gate(pl.col("t"), regex).str.contains(regex))["t"].to_list()
[True, None, None]
>>> print(required_literals(r"\bsorry\b|\d+"))
None
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache
from itertools import product
from typing import Any

import polars as pl

from transforms.lexicon import class_opening

try:  # Python 3.11+: the parser moved; it is the same module under either name.
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]


class _NoLiterals(Exception):
    """The regex holds something this analysis does not read (it is then never gated)."""


# Rust-regex syntax that Python's parser reads differently, rewritten to something Python reads
# as matching at least as much (a superset keeps the literals necessary): property classes and
# POSIX classes become "any character", flag groups lose their flags.
_ANY_OUTSIDE, _ANY_INSIDE = r"[\s\S]", r"\s\S"


def _python_syntax(regex: str, case_matters: bool = True) -> str:
    """Return ``regex`` rewritten for Python's parser, matching a superset of what it matches.

    Unless ``case_matters`` (a text folded like the literals), case flags are dropped too.
    """
    flags_dropped = r"[smuU-]*" if case_matters else r"[imsuU-]*"
    out: list[str] = []
    i, in_class = 0, False
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            kind = regex[i + 1 : i + 2]
            end = i + 2
            if kind in ("p", "P"):
                end = regex.index("}", end) + 1 if regex.startswith("{", end) else end + 1
                out.append(_ANY_INSIDE if in_class else _ANY_OUTSIDE)
            elif kind == "z":
                out.append(r"\Z")
            elif kind in ("x", "u", "U") and regex.startswith("{", end):
                raise _NoLiterals(regex[i:end])
            else:
                out.append(regex[i:end])
            i = end
        elif in_class:
            if regex.startswith("[:", i) and ":]" in regex[i:]:
                i = regex.index(":]", i) + 2
                out.append(_ANY_INSIDE)
            elif char == "[" or regex.startswith(("&&", "--", "~~"), i):
                raise _NoLiterals("nested class or class set operation")
            else:
                in_class = char != "]"
                out.append(char)
                i += 1
        elif char == "[":
            in_class = True
            opening = class_opening(regex, i)
            i += len(opening)
            out.append(opening)
        elif regex.startswith("(?", i) and not regex.startswith(("(?:", "(?P"), i):
            if regex.startswith("(?<", i) and regex[i + 3 : i + 4] not in ("=", "!"):
                out.append("(?P<")
                i += 3
                continue
            end = i + 2
            while end < len(regex) and regex[end] not in ":)":
                end += 1
            flags = regex[i + 2 : end]
            if not re.fullmatch(flags_dropped, flags):  # i and x change what the literals are
                raise _NoLiterals(flags)
            out.append("(?:" if regex[end : end + 1] == ":" else "")
            i = end + 1
        else:
            out.append(char)
            i += 1
    return "".join(out)


#: Largest set of strings a part of a regex is expanded into (``(?:a|b)(?:c|d)`` is 4 strings).
_MAX_STRINGS = 64
#: Widest character range of a bracketed class read as its characters (``[0-5]`` is six).
_MAX_RANGE = 8
#: Largest number of copies of a repeated part expanded into strings (``x{1,3}``).
_MAX_COPIES = 3

_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT)
#: Parts that match no fixed string and require nothing, but are understood.
_UNFIXED = (_sre.ANY, _sre.NOT_LITERAL, _sre.CATEGORY)

#: A tree of the ways a regex's required literals can be chosen: a literal set (a leaf: one of
#: its strings occurs in every match), a concatenation (``("seq", parts)``: any one part will do)
#: or an alternation (``("alt", branches)``: one choice per branch, joined).
Tree = frozenset[str] | tuple[str, tuple["Tree", ...]]


def _product(left: frozenset[str], right: frozenset[str]) -> frozenset[str] | None:
    if len(left) * len(right) > _MAX_STRINGS:
        return None
    return frozenset(a + b for a, b in product(left, right))


class _Reader:
    """Reads parsed regex items into the strings they spell and the literals they require.

    ``fold`` maps each character as the searched text was mapped (``casefold.fold_literal`` for a
    folded text, where case flags then change nothing); without it, case flags are refused.
    """

    def __init__(self, fold: Callable[[str], str] | None) -> None:
        self.fold = fold
        #: Flags that change what the literals are: verbose, and case unless the text is folded.
        self.refused = _sre.SRE_FLAG_VERBOSE | (_sre.SRE_FLAG_IGNORECASE if fold is None else 0)

    def char(self, code: int) -> str:
        return chr(code) if self.fold is None else self.fold(chr(code))

    def body(self, op: object, arg: tuple) -> list:
        """Return the items of a group, refusing flags that change what its literals are."""
        if op is _sre.ATOMIC_GROUP:
            return arg  # type: ignore[return-value]
        _group, add_flags, del_flags, items = arg
        if (add_flags | del_flags) & self.refused:
            raise _NoLiterals("flags")
        return items

    def fixed(self, item: tuple) -> frozenset[str] | None:
        """Return every string a parsed item can match, None when not a small finite set."""
        op, arg = item
        if op is _sre.LITERAL:
            return frozenset({self.char(arg)})
        if op is _sre.AT:
            return frozenset({""})  # zero width: the parts around it are adjacent in the text
        if op in (_sre.SUBPATTERN, _sre.ATOMIC_GROUP):
            return self.fixed_seq(self.body(op, arg))
        if op is _sre.BRANCH:
            sets = [self.fixed_seq(branch) for branch in arg[1]]
            if any(s is None for s in sets):
                return None
            union = frozenset().union(*sets)  # type: ignore[arg-type]
            return union if len(union) <= _MAX_STRINGS else None
        if op is _sre.IN:
            return self.members(arg)
        if op in _REPEATS:
            low, high, items = arg
            return self.copies(items, low, high)
        if op in _UNFIXED:
            return None
        raise _NoLiterals(str(op))  # look-arounds, back-references: no Rust regex holds them

    def members(self, items: list) -> frozenset[str] | None:
        chars: set[str] = set()
        for op, arg in items:
            if op is _sre.LITERAL:
                chars.add(self.char(arg))
            elif op is _sre.RANGE and arg[1] - arg[0] < _MAX_RANGE:
                chars.update(self.char(c) for c in range(arg[0], arg[1] + 1))
            else:  # NEGATE, CATEGORY, a wide range
                return None
        return frozenset(chars) if len(chars) <= _MAX_STRINGS else None

    def copies(self, items: list, low: int, high: int) -> frozenset[str] | None:
        """Return every string ``low`` to ``high`` copies of ``items`` spell, None if too many."""
        inner = self.fixed_seq(items)
        if inner is None or high > _MAX_COPIES:
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

    def fixed_seq(self, items: list) -> frozenset[str] | None:
        strings: frozenset[str] | None = frozenset({""})
        for item in items:
            part = self.fixed(item)
            if part is None or strings is None:
                return None
            strings = _product(strings, part)
        return strings

    def seq(self, items: list) -> Tree | None:
        """Return the tree of required-literal choices of a concatenation, None if it has none."""
        choices: list[Tree] = []
        run: frozenset[str] = frozenset({""})  # the fixed strings read since the last gap

        def add(literals: frozenset[str] | None) -> None:
            if literals and "" not in literals:
                choices.append(literals)

        for item in items:
            part = self.fixed(item)
            previous = run
            if part is not None:
                joined = _product(run, part)
                if joined is None:  # too many strings: the run so far is one choice
                    add(run)
                    joined = part
                run = joined
                continue
            add(run)
            run = frozenset({""})
            op, arg = item
            if op in _REPEATS and 1 <= arg[0] <= _MAX_COPIES and self.fixed_seq(arg[2]):
                # At least ``low`` copies of a fixed body: they follow the part before and, the
                # last ones, precede the part after ("xxx+" holds "xxx").
                least = self.copies(arg[2], arg[0], arg[0])
                if least is not None:
                    add(_product(previous, least))
                    run = least
                    continue
            child = self.required(item)
            if child is not None:
                choices.append(child)
        add(run)
        return ("seq", tuple(choices)) if choices else None

    def required(self, item: tuple) -> Tree | None:
        op, arg = item
        if op in (_sre.SUBPATTERN, _sre.ATOMIC_GROUP):
            return self.seq(self.body(op, arg))
        if op is _sre.BRANCH:
            branches = [self.seq(branch) for branch in arg[1]]
            return None if any(b is None for b in branches) else ("alt", tuple(branches))  # type: ignore[misc]
        if op in _REPEATS and arg[0] >= 1:
            return self.seq(arg[2])
        return None


@cache
def literal_tree(regex: str, fold: Callable[[str], str] | None = None) -> Tree | None:
    r"""Return the tree of the literal sets one of which every match of ``regex`` holds, or None.

    ``regex`` is read as the Rust engine reads it, searched as written (case-sensitively), or on a
    text mapped character by character by ``fold`` (the literals are then mapped too, and case
    flags change nothing). None when some match needs no literal, or the regex holds syntax this
    reading does not know: never a wrong tree.

    >>> literal_tree(r"\bpipe\s+bomb\b")
    ('seq', (frozenset({'pipe'}), frozenset({'bomb'})))
    >>> print(literal_tree(r"\bpipe\s+bomb\b|\w+"))
    None
    """
    try:
        parsed = _sre_parse.parse(_python_syntax(regex, case_matters=fold is None))
    except (re.error, _NoLiterals, ValueError, IndexError, OverflowError):
        return None
    reader = _Reader(fold)
    if parsed.state.flags & reader.refused:
        return None
    try:
        return reader.seq(list(parsed))
    except (_NoLiterals, RecursionError):
        return None


def prune(
    tree: Tree | None, usable: Callable[[frozenset[str]], frozenset[str] | None]
) -> Tree | None:
    """Return ``tree`` with each leaf as ``usable`` gives it, dropped where that is None."""
    if tree is None or isinstance(tree, frozenset):
        return tree if tree is None else usable(tree)
    kind, parts = tree
    kept = [prune(part, usable) for part in parts]
    if kind == "alt":
        return None if any(p is None for p in kept) else ("alt", tuple(kept))  # type: ignore[misc]
    kept = [p for p in kept if p is not None]
    return ("seq", tuple(kept)) if kept else None  # type: ignore[arg-type]


def choose(tree: Tree, key: Callable[[frozenset[str]], Any]) -> frozenset[str]:
    """Return the literal set the tree gives when each concatenation takes its part of largest
    ``key`` (the first of equals) and each alternation joins its branches' choices."""
    if isinstance(tree, frozenset):
        return tree
    kind, parts = tree
    choices = [choose(part, key) for part in parts]
    if kind == "alt":
        return frozenset().union(*choices)
    return max(choices, key=key)


def leaves(tree: Tree | None) -> frozenset[str]:
    """Return every literal ``tree`` may choose from."""
    if tree is None:
        return frozenset()
    if isinstance(tree, frozenset):
        return tree
    return frozenset().union(*(leaves(part) for part in tree[1]))


def _minimal(literals: frozenset[str]) -> tuple[str, ...]:
    """Return ``literals`` without those that contain another (the shorter one already gates)."""
    kept: list[str] = []
    for literal in sorted(literals, key=len):
        if not any(k in literal for k in kept):
            kept.append(literal)
    return tuple(sorted(kept))


def _selectivity(literals: frozenset[str]) -> tuple[int, int]:
    """Return how well the literals gate: longer shortest literal, then fewer literals."""
    return min(map(len, literals)), -len(literals)


@cache
def required_literals(regex: str) -> tuple[str, ...] | None:
    r"""Return literals one of which every match of ``regex`` contains, or None when there are none.

    ``regex`` is searched as written (case-sensitively): pass the detection form of a
    case-insensitive regex. Unknown or unsupported syntax gives None, never a wrong set.

    >>> required_literals(r"(?:very |so )?sorry,? but")
    ('sorry but', 'sorry, but')
    >>> required_literals(r"[^.!?\n]*?\b(?:it(?:'s| is) not (?:\w+ )?(?:ok|safe))\b")
    ('it is not ', "it's not ")
    >>> print(required_literals(r"\S+"))
    None
    """
    tree = literal_tree(regex)
    return None if tree is None else _minimal(choose(tree, _selectivity))


def union(regexes: Iterable[str]) -> str:
    r"""Return one regex matching wherever one of ``regexes`` matches (their alternation).

    Flags set inside a regex (``(?i)``) stay inside its group.

    >>> print(union([r"(?i)\bsorry\b", r"\d+ mg"]))
    (?:(?i)\bsorry\b)|(?:\d+ mg)
    """
    return "|".join(f"(?:{regex})" for regex in regexes)


def candidates(text: pl.Expr, regex: str) -> pl.Expr | None:
    """Return whether each ``text`` may match ``regex`` (null where it is null), None if always."""
    literals = required_literals(regex)
    return None if literals is None else text.str.contains_any(list(literals))


def gate(text: pl.Expr, regex: str, may_match: pl.Expr | None = None) -> pl.Expr:
    """Return ``text`` where it may match ``regex`` and null elsewhere (such rows are not searched).

    ``may_match`` may be passed when the caller has the candidates already.
    """
    may_match = candidates(text, regex) if may_match is None else may_match
    return text if may_match is None else pl.when(may_match).then(text)
