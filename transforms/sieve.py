"""One literal pass per column that says, per row, which of a family's regexes can match at all.

A family searches one text column with a dozen lexicon regexes, and most rows match none of
them: each search still reads every row. A ``Sieve`` reads the folded column once with
Aho-Corasick (``str.extract_many`` over the required literals of every regex it holds, from
``transforms.scan.literal_tree``) and keeps, per row, a bit per regex whose literals occur in
the text. A row without a regex's bit holds none of its required literals, so the regex cannot
match there: ``Sieve.contains`` searches only the rows with the bit and reads false elsewhere,
the same result as searching every row (exact by construction, never a heuristic).

A regex is given a bit only when every literal it requires is at least ``MIN_LITERAL``
characters long: shorter ones occur in most texts and would only add matches to the pass. The
other regexes are searched on every row, as without a sieve. A sieve holds at most 63 regexes.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from transforms.casefold import Text, fold_literal
from transforms.scan import choose, literal_tree, prune

#: Shortest literal worth a bit: shorter ones occur in most texts and only cost matches.
MIN_LITERAL = 3
_BITS = 63


def _usable(literals: frozenset[str]) -> frozenset[str] | None:
    return literals if min(map(len, literals)) >= MIN_LITERAL else None


def _selectivity(literals: frozenset[str]) -> tuple[int, int]:
    """Return how well the literals gate: longer shortest literal, then fewer literals."""
    return min(map(len, literals)), -len(literals)


def gate_literals(regex: str) -> frozenset[str] | None:
    r"""Return folded literals one of which any match of ``regex`` holds, folded, or None.

    >>> sorted(gate_literals(r"(?i)\b(?:Pipe|tube)\s+bombs?\b"))
    ['pipe', 'tube']
    >>> print(gate_literals(r"(?i)\bno\b"))
    None
    """
    tree = prune(literal_tree(regex, fold_literal), _usable)
    return None if tree is None else choose(tree, _selectivity)


class Sieve:
    """The required literals of some regexes over one folded text column, a bit per regex."""

    def __init__(self, name: str, folded: pl.Expr, regexes: Iterable[str]) -> None:
        """``name`` is the scratch column ``column()`` adds; ``folded`` the folded text searched."""
        self.name, self.folded = name, folded
        self.bits: dict[str, int] = {}
        self.masks: dict[str, int] = {}  # literal -> the bits of the regexes requiring it
        for regex in dict.fromkeys(regexes):
            literals = gate_literals(regex)
            if literals is None:
                continue
            if len(self.bits) == _BITS:
                raise ValueError(f"a sieve holds at most {_BITS} regexes")
            bit = 1 << len(self.bits)
            self.bits[regex] = bit
            for literal in literals:
                self.masks[literal] = self.masks.get(literal, 0) | bit

    def column(self) -> pl.Expr:
        """Return, per row, the bits of the regexes whose literals its text holds (null: no text).

        Every occurrence is reported (``overlapping``), so a literal inside another is not lost.
        """
        if not self.masks:
            return pl.lit(0, dtype=pl.Int64).alias(self.name)
        found = self.folded.str.extract_many(sorted(self.masks), overlapping=True)
        bits = found.list.eval(pl.element().replace_strict(self.masks, return_dtype=pl.Int64))
        return (
            pl.when(self.folded.is_not_null())
            .then(bits.list.eval(pl.element().bitwise_or()).list.first().fill_null(0))
            .alias(self.name)
        )

    def may_match(self, regex: str) -> pl.Expr | None:
        """Return whether each row may match ``regex`` (read from ``column()``), None if any may."""
        bit = self.bits.get(regex)
        return None if bit is None else (pl.col(self.name) & bit) != 0

    def contains(self, text: Text, regex: str) -> pl.Expr:
        """Return ``text.contains(regex)``, searched only on the rows that may match."""
        may_match = self.may_match(regex)
        if may_match is None:
            return text.contains(regex)
        found = text.when(may_match).contains(regex).fill_null(False)
        return pl.when(text.original.is_not_null()).then(found)
