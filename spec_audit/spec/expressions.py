"""The catalog's condition language, compiled to Polars expressions over the signal columns.

A clause's ``applies_when`` and ``violation_when`` are small boolean expressions over the signals
of ``transforms.registry``::

    prompt_intent == 'benign' and has_reply
    regulated_domain != 'none' and (definitive_advice and not professional_referral)
    harm_category in ['cyber', 'fraud'] or reply_words > 600

Grammar, loosest binding first: ``or``, ``and``, ``not``, then comparisons (``== != < <= > >=``,
``in [..]``, ``not in [..]``) and parentheses. Operands are signal names, string literals in single
or double quotes, int and float literals, and ``true`` / ``false``. A bool signal, or a bool
literal, alone is a condition. The text is parsed (lark, LALR) and turned into a ``pl.Expr``;
nothing is ever evaluated as Python.

Names and values are checked against the signal registry when compiling, so a typo fails at load
time rather than matching nothing: unknown signals (with the closest name suggested), an enum
compared with a value it cannot take, ``<`` / ``>`` on a bool or enum, a non-bool signal used as a
condition, and comparisons across types.

Nulls follow Polars' Kleene logic: a comparison on a null signal is null, ``null and false`` is
false, ``null or true`` is true, ``not null`` is null. The pipeline reads a null ``applies`` as
"clause not applicable" and a null ``violation`` as "unscored", so a missing signal never turns
into a verdict by accident.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache

import polars as pl
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from spec_audit.errors import UserError
from transforms.registry import SIGNALS_BY_NAME, Signal

# Kept beside the compiler rather than in a .lark file: the grammar is code, and package-data in
# pyproject.toml ships only yaml/txt/sql/json files.
GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: not_expr (_AND not_expr)*
?not_expr: _NOT not_expr -> negation
         | atom
?atom: comparison
     | operand
     | "(" or_expr ")"
comparison: operand COMPARE operand
          | operand _IN list                -> membership
          | operand _NOT _IN list           -> non_membership
list: "[" literal ("," literal)* ","? "]"
?operand: literal | NAME
?literal: STRING | NUMBER | TRUE | FALSE

_OR.2: /or\b/
_AND.2: /and\b/
_NOT.2: /not\b/
_IN.2: /in\b/
TRUE.2: /true\b/
FALSE.2: /false\b/
COMPARE: "==" | "!=" | "<=" | ">=" | "<" | ">"
NAME: /[A-Za-z_][A-Za-z0-9_]*/
STRING: /'[^'\n]*'/ | /"[^"\n]*"/
NUMBER: /-?[0-9]+(\.[0-9]+)?/
%ignore /[ \t\r\n]+/
"""

#: How the parser's terminal names read in an error message.
_READABLE = {
    "NAME": "a signal name",
    "STRING": "a value",
    "NUMBER": "a value",
    "TRUE": "a value",
    "FALSE": "a value",
    "_OR": "'or'",
    "_AND": "'and'",
    "_NOT": "'not'",
    "_IN": "'in'",
    "COMPARE": "a comparison (== != < <= > >=)",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "COMMA": "','",
    "$END": "end of expression",
}

_ORDERING = {"<", "<=", ">", ">="}


@dataclass(frozen=True)
class Compiled:
    """A compiled condition: the Polars expression and the signal names it reads."""

    text: str
    expr: pl.Expr
    signals: frozenset[str]


@cache
def _parser() -> Lark:
    # The basic lexer tokenises keywords as keywords everywhere, so "has_reply or or" reports the
    # misplaced 'or' instead of reading it as a signal name.
    return Lark(GRAMMAR, parser="lalr", lexer="basic", propagate_positions=True)


def compile_expression(text: str, *, where: str = "") -> Compiled:
    """Return the Polars expression (and the signals it reads) for one condition of the catalog.

    ``where`` prefixes every error message, e.g. ``"spec.yaml: clause x, applies_when"``.

    >>> c = compile_expression("refusal != 'none' and not moralizing")
    >>> sorted(c.signals)
    ['moralizing', 'refusal']
    >>> df = pl.DataFrame({"refusal": ["full", "none", None], "moralizing": [False, False, None]})
    >>> df.select(v=c.expr)["v"].to_list()
    [True, False, None]
    >>> compile_expression("refusl == 'none'", where="x")
    Traceback (most recent call last):
    spec_audit.errors.UserError: x: unknown signal 'refusl' at column 1 (did you mean 'refusal'?)
    """
    prefix = f"{where}: " if where else ""
    if not isinstance(text, str) or not text.strip():
        raise UserError(f"{prefix}empty expression")
    # One line, so every column is an offset into the whole condition even from a YAML block.
    flat = text.replace("\r", " ").replace("\n", " ")
    try:
        tree = _parser().parse(flat)
    except UnexpectedInput as exc:
        raise UserError(f"{prefix}{_syntax_message(exc, flat)}") from None
    builder = _Builder(prefix)
    kind, expr = builder.build(tree)
    if kind != "condition":
        raise builder.not_condition(kind, expr, _column(tree))
    return Compiled(text=text, expr=expr, signals=frozenset(builder.signals))


def _syntax_message(exc: UnexpectedInput, text: str) -> str:
    """Return 'syntax error at column N: expected ..., found ...' for a lark parse failure."""
    if isinstance(exc, UnexpectedCharacters):
        found = repr(text[exc.pos_in_stream]) if exc.pos_in_stream < len(text) else "end"
        return f"syntax error at column {exc.column}: unexpected character {found}"
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        column, found = exc.column, repr(str(exc.token))
    else:
        column, found = len(text.rstrip()) + 1, "end of expression"
    expected: set[str] = set()
    if isinstance(exc, UnexpectedToken):
        expected = set(exc.accepts or exc.expected)
    elif isinstance(exc, UnexpectedEOF):
        expected = set(exc.expected)
    names = sorted({_READABLE.get(name, name) for name in expected})
    wanted = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    return f"syntax error at column {column}: expected {wanted}, found {found}"


class _Builder:
    """Walks one parse tree into a ``pl.Expr``, type-checking against the signal registry.

    Each node becomes ``(kind, value)``: kind ``condition`` with a boolean ``pl.Expr``, or, for
    something that is not a condition, a description used in errors ("enum signal 'refusal'",
    "number 3") with the Signal or the literal's Python value.
    """

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.signals: set[str] = set()

    def fail(self, message: str) -> UserError:
        return UserError(f"{self.prefix}{message}")

    def build(self, node: Tree | Token) -> tuple[str, object]:
        if isinstance(node, Token):
            return self.operand(node)
        if node.data == "or_expr":
            return "condition", _fold(self.conditions(node.children), "or")
        if node.data == "and_expr":
            return "condition", _fold(self.conditions(node.children), "and")
        if node.data == "negation":
            return "condition", ~self.conditions(node.children)[0]
        if node.data == "comparison":
            return "condition", self.comparison(*node.children)
        if node.data in ("membership", "non_membership"):
            expr = self.membership(*node.children)
            return "condition", expr if node.data == "membership" else ~expr
        raise AssertionError(f"unexpected parse node {node.data}")  # grammar and builder disagree

    def conditions(self, children: list[Tree | Token]) -> list[pl.Expr]:
        """Return each child as a boolean expression, rejecting bare values."""
        out = []
        for child in children:
            kind, value = self.build(child)
            if kind != "condition":
                raise self.not_condition(kind, value, _column(child))
            out.append(value)
        return out

    def not_condition(self, kind: str, value: object, column: int) -> UserError:
        """Return the error for a signal or literal standing where a condition must be."""
        hint = ""
        if isinstance(value, Signal):
            example = f"== '{value.values[0]}'" if value.values else "> 0"
            hint = f" (compare it, e.g. {value.name} {example})"
        return self.fail(f"{kind} at column {column} is not a condition{hint}")

    def operand(self, token: Token) -> tuple[str, object]:
        """Return a name or literal token as a signal, a literal, or (bool) a condition."""
        if token.type == "NAME":
            signal = self.signal(token)
            if signal.dtype == "bool":
                return "condition", pl.col(signal.name)
            return f"{signal.dtype} signal '{signal.name}'", signal
        if token.type in ("TRUE", "FALSE"):
            return "condition", pl.lit(token.type == "TRUE")
        if token.type == "STRING":
            return f"string {token!s}", str(token)[1:-1]
        number = float(token) if "." in token else int(token)
        return f"number {token!s}", number

    def signal(self, token: Token) -> Signal:
        name = str(token)
        if name not in SIGNALS_BY_NAME:
            close = difflib.get_close_matches(name, SIGNALS_BY_NAME, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise self.fail(f"unknown signal '{name}' at column {token.column}{hint}")
        self.signals.add(name)
        return SIGNALS_BY_NAME[name]

    def side(self, token: Token) -> tuple[Signal | None, object, str]:
        """Return (signal or None, literal value, type) for one side of a comparison."""
        if token.type == "NAME":
            signal = self.signal(token)
            return signal, None, signal.dtype
        if token.type in ("TRUE", "FALSE"):
            return None, token.type == "TRUE", "bool"
        if token.type == "STRING":
            return None, str(token)[1:-1], "string"
        return None, (float(token) if "." in token else int(token)), "number"

    def comparison(self, left: Token, op: Token, right: Token) -> pl.Expr:
        lsig, lval, ltype = self.side(left)
        rsig, rval, rtype = self.side(right)
        if lsig is None and rsig is None:
            raise self.fail(f"comparison at column {left.column} compares two values, no signal")
        for signal in (lsig, rsig):
            if signal is not None and op in _ORDERING and signal.dtype in ("bool", "enum"):
                raise self.fail(
                    f"'{op}' at column {op.column} orders {signal.dtype} signal '{signal.name}'; "
                    "use == or != (or in [..])"
                )
        if lsig is not None and rsig is not None:
            if _family(ltype) != _family(rtype):
                raise self.fail(
                    f"comparison at column {left.column} compares {ltype} signal '{lsig.name}' "
                    f"with {rtype} signal '{rsig.name}'"
                )
            if ltype == "enum" and set(lsig.values).isdisjoint(rsig.values):
                raise self.fail(
                    f"comparison at column {left.column}: '{lsig.name}' and '{rsig.name}' "
                    "share no values"
                )
            lhs, rhs = pl.col(lsig.name), pl.col(rsig.name)
        elif lsig is not None:
            self.check_value(lsig, rval, rtype, right)
            lhs, rhs = pl.col(lsig.name), pl.lit(rval)
        else:
            assert rsig is not None
            self.check_value(rsig, lval, ltype, left)
            lhs, rhs = pl.lit(lval), pl.col(rsig.name)
        return {
            "==": lhs.eq,
            "!=": lhs.ne,
            "<": lhs.lt,
            "<=": lhs.le,
            ">": lhs.gt,
            ">=": lhs.ge,
        }[str(op)](rhs)

    def membership(self, left: Token, items: Tree) -> pl.Expr:
        if left.type != "NAME":
            raise self.fail(f"'in' at column {left.column} needs a signal on its left")
        signal = self.signal(left)
        if signal.dtype == "bool":
            raise self.fail(
                f"'in' at column {left.column} tests bool signal '{signal.name}'; "
                "use it alone or with == / !="
            )
        values = []
        for token in items.children:
            _, value, vtype = self.side(token)
            self.check_value(signal, value, vtype, token)
            values.append(value)
        return pl.col(signal.name).is_in(pl.Series(values, dtype=signal.polars_dtype).implode())

    def check_value(self, signal: Signal, value: object, vtype: str, token: Token) -> None:
        """Raise unless ``value`` is something ``signal`` can take."""
        if _family(signal.dtype) != vtype:
            raise self.fail(
                f"{signal.dtype} signal '{signal.name}' compared with {vtype} {token!s} "
                f"at column {token.column}"
            )
        if signal.dtype == "enum" and value not in signal.values:
            raise self.fail(
                f"signal '{signal.name}' cannot be '{value}' at column {token.column} "
                f"(allowed: {', '.join(signal.values)})"
            )


def _family(dtype: str) -> str:
    """Return the literal type a signal dtype compares with."""
    return {"enum": "string", "int": "number", "float": "number"}.get(dtype, dtype)


def _fold(exprs: list[pl.Expr], op: str) -> pl.Expr:
    out = exprs[0]
    for expr in exprs[1:]:
        out = out & expr if op == "and" else out | expr
    return out


def _column(node: Tree | Token) -> int:
    if isinstance(node, Token):
        return node.column or 1
    return node.meta.column if not node.meta.empty else 1
