"""One literal pass per column that says, per row, which of some regexes can match at all.

A labeller searches one text column with many lexicon regexes, and most rows match none of them:
each search still reads every row. A ``Sieve`` reads the folded column (``transforms.casefold``)
once with Aho-Corasick (``str.extract_many``, overlapping) over the required literals of every
regex it holds, and gives each row a bit per regex whose literals occur in the text. A row
without a regex's bit holds none of its required literals, so the regex cannot match there:
searching only the rows with the bit (``Sieve.contains``; ``transforms.intent_gate.matches``
for a plain string column) gives the same result as searching every row (exact by construction,
never a heuristic).

A regex's required literals are read from the regex itself (``transforms.scan.literal_tree``, on
the folded text), so a lexicon edit moves its bit with it. Literals shorter than ``MIN_LITERAL``
characters are never used: they occur in most texts and would only add matches to the pass. A
regex may require one of several parts ("pipe" and "bomb"); which to choose is the caller's
``literals`` (``gate_literals`` by default: the longest). A regex without usable literals has no
bit and is searched on every row, as without a sieve. A sieve holds at most 64 regexes.

The column searched is a folded text (``casefold.fold``) or a labeller's detection copy
(``casefold.with_lowered``), where characters outside ASCII stand in ASCII
(``transforms.stand_in``): ``bits(..., copy=True)`` then searches each literal as the copy
writes it, so a literal with a curly apostrophe or an accent is still found.

What the literal reading cannot see (a match needs a digit: a digit class is no literal) a
lexicon may state as a rule beside itself, checked by a test: ``cue_gate`` then searches only
the texts holding one of its cues, a few searches of a short class or literal each far cheaper
than the lexicon's regex (``style_personal_data`` needs a digit, "@" or "[").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache, cached_property
from typing import Any

import polars as pl

from transforms.casefold import Text, fold_literal
from transforms.scan import Tree, choose, literal_tree, prune
from transforms.stand_in import is_plain, stand_ins

#: Shortest literal worth a bit: shorter ones occur in most texts and only cost matches.
MIN_LITERAL = 3
_BITS = 64


def _usable(literals: frozenset[str]) -> frozenset[str] | None:
    """Return the literals if every one is long enough to be worth a bit, else None."""
    return literals if literals and min(map(len, literals)) >= MIN_LITERAL else None


@cache
def literal_choices(regex: str) -> Tree | None:
    """Return the ways to choose the usable required literals of ``regex`` on a folded text
    (``transforms.scan.literal_tree``), or None when some match needs none."""
    return prune(literal_tree(regex, fold_literal), _usable)


def longest(literals: frozenset[str]) -> tuple[int, int]:
    """Return how well the literals gate: longer shortest literal, then fewer literals."""
    return min(map(len, literals)), -len(literals)


@cache
def gate_literals(
    regex: str, key: Callable[[frozenset[str]], Any] = longest
) -> frozenset[str] | None:
    r"""Return folded literals one of which any match of ``regex`` holds, folded, or None.

    Where the regex requires one of several parts, the part of largest ``key`` is chosen.

    >>> sorted(gate_literals(r"(?i)\b(?:Pipe|tube)\s+bombs?\b"))
    ['pipe', 'tube']
    >>> print(gate_literals(r"(?i)\bno\b"))
    None
    """
    tree = literal_choices(regex)
    return None if tree is None else choose(tree, key)


class Sieve:
    r"""The required literals of some regexes, a bit per regex, found in one pass over a column.

    ``literals`` gives the folded literals of a regex (None: no bit, it is searched everywhere).
    ``bits`` is the pass; ``may_match`` and ``contains`` read one regex's bit from its result.

    >>> sieve = Sieve([r"(?i)\bkill\b", r"(?i)\bbomb\b"])
    >>> df = pl.DataFrame({"f": ["kill bill", "a bomb", None]})
    >>> df.select(b=sieve.bits(pl.col("f"))).select(
    ...     sieve.may_match(pl.col("b"), r"(?i)\bbomb\b")
    ... )["b"].to_list()
    [False, True, None]
    """

    def __init__(
        self,
        regexes: Iterable[str],
        literals: Callable[[str], frozenset[str] | None] = gate_literals,
    ) -> None:
        self.masks: dict[str, int] = {}  # regex -> its bit
        bits: dict[str, int] = {}  # literal -> the bits of the regexes requiring it
        for regex in dict.fromkeys(regexes):
            found = literals(regex)
            if found is None:
                continue
            if len(self.masks) == _BITS:
                raise ValueError(f"a sieve holds at most {_BITS} regexes")
            self.masks[regex] = 1 << len(self.masks)
            for literal in found:
                bits[literal] = bits.get(literal, 0) | self.masks[regex]
        self.literals = sorted(bits)
        self.literal_bits = [bits[literal] for literal in self.literals]

    @cached_property
    def _in_copy(self) -> tuple[list[str], list[int]]:
        """Return the literals as a detection copy writes them (``stand_in.stand_ins``, one pass
        over all of them) with their bits; literals that read alike there join their bits."""
        written = pl.select(stand_ins(pl.lit(pl.Series(self.literals, dtype=pl.String))))
        joined: dict[str, int] = {}
        for literal, bits in zip(written.to_series(), self.literal_bits, strict=True):
            joined[literal] = joined.get(literal, 0) | bits
        return sorted(joined), [joined[literal] for literal in sorted(joined)]

    def bits(self, folded: pl.Expr, *, copy: bool = False) -> pl.Expr:
        """Return, per row, the bits (UInt64) of the regexes whose literals its folded text holds
        (null where the text is null); ``copy``: the column is a detection copy (stand-ins).

        Every occurrence is reported (``overlapping``), so a literal inside another is not lost.
        """
        if not self.literals:
            return pl.when(folded.is_not_null()).then(pl.lit(0, dtype=pl.UInt64))
        literals, literal_bits = self._in_copy if copy else (self.literals, self.literal_bits)
        found = folded.str.extract_many(literals, overlapping=True).list.eval(
            pl.element().replace_strict(literals, literal_bits, return_dtype=pl.UInt64).bitwise_or()
        )
        return pl.when(folded.is_not_null()).then(found.list.first().fill_null(0))

    def may_match(self, bits: pl.Expr, regex: str) -> pl.Expr | None:
        """Return whether each row may match ``regex``, from its ``bits``; None if every row may."""
        mask = self.masks.get(regex)
        return None if mask is None else (bits & pl.lit(mask, dtype=pl.UInt64)) != 0

    def contains(self, bits: pl.Expr, text: Text, regex: str) -> pl.Expr:
        """Return ``text.contains(regex)``, searched only on the rows that may match."""
        may_match = self.may_match(bits, regex)
        if may_match is None:
            return text.contains(regex)
        found = text.when(may_match).contains(regex).fill_null(False)
        return pl.when(text.original.is_not_null()).then(found)


def cue_gate(text: Text, cues: Iterable[str]) -> pl.Expr:
    r"""Return whether each text may match a regex every match of which holds a match of one of
    ``cues``, regexes of lower-case ASCII searched on the detection copy (``Text.folded``).

    Which cues a lexicon's matches need is a rule the caller states beside that lexicon (a
    digit, an "@"...), for what the literal analysis above cannot read (``\d`` is no literal).
    A text outside plain ASCII may always match: it may write a cue in another script (a
    digit, a full-width "@"). A plain one may where a cue matches its copy, which is then the
    text lower-cased. Each cue is its own search: a short class or a few literals alone is
    far cheaper than their alternation.

    >>> from transforms.casefold import with_lowered
    >>> df, _ = with_lowered(pl.LazyFrame({"t": ["Call 555", "no digits", "٣ apples", None]}), "t")
    >>> df.select(cue_gate(Text.of("t"), ["[0-9]"])).collect()["__ascii_t"].to_list()
    [True, False, True, None]
    """
    found = (text.folded.str.contains(cue) for cue in cues)
    plain = is_plain(text.original) if text.ascii_rows is None else text.ascii_rows
    return ~plain | pl.any_horizontal(*found)
