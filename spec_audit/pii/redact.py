"""Redacting PII: typed placeholders for every validated candidate, applied as Polars expressions.

``Redaction.of(texts)`` runs the candidate pass over a batch of texts and validates the distinct
candidates; ``expr`` then replaces every one of them, wherever it occurs, with one Aho-Corasick
``replace_many`` (longest first, so a number inside a longer one is not replaced on its own).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from spec_audit.pii.detect import candidates, classify


def placeholder(kind: str) -> str:
    """Return the placeholder text for a kind of PII, such as ``[EMAIL]``."""
    return f"[{kind}]"


@dataclass(frozen=True)
class Redaction:
    """The PII found in a batch of texts: each text to replace, longest first, and its kind."""

    found: tuple[str, ...]
    kinds: tuple[str, ...]

    @classmethod
    def of(cls, texts: pl.Series) -> Redaction:
        """Return the redaction for the PII in ``texts`` (a String series, nulls allowed)."""
        mapping = classify(candidates(texts))
        ordered = sorted(mapping, key=lambda text: (-len(text), text))
        return cls(tuple(ordered), tuple(mapping[text] for text in ordered))

    def counts(self) -> dict[str, int]:
        """Return the number of distinct texts found per kind."""
        counted: dict[str, int] = {}
        for kind in self.kinds:
            counted[kind] = counted.get(kind, 0) + 1
        return counted

    def expr(self, text: pl.Expr) -> pl.Expr:
        """Return ``text`` (a String expression) with every PII text replaced by its placeholder."""
        if not self.found:
            return text
        return text.str.replace_many(
            list(self.found), [placeholder(k) for k in self.kinds], leftmost=True
        )

    def id_expr(self, text: pl.Expr) -> pl.Expr:
        """Return ``text`` with PII replaced by placeholders that keep different values apart.

        For identifiers: ``[EMAIL:3f9a1c0b2d]`` carries a short hash of the value, so two ids
        that differ only in their PII stay two ids.
        """
        if not self.found:
            return text
        tagged = [
            f"[{kind}:{hashlib.sha256(found.encode()).hexdigest()[:10]}]"
            for found, kind in zip(self.found, self.kinds, strict=True)
        ]
        return text.str.replace_many(list(self.found), tagged, leftmost=True)

    def list_expr(self, texts: pl.Expr) -> pl.Expr:
        """Return a List(String) expression with PII replaced in every element."""
        return texts if not self.found else texts.list.eval(self.expr(pl.element()))

    def messages_expr(self, messages: pl.Expr) -> pl.Expr:
        """Return a List(Struct(role, content)) expression with PII replaced in role and content."""
        if not self.found:
            return messages
        return messages.list.eval(
            pl.element().struct.with_fields(
                self.expr(pl.field("role")), self.expr(pl.field("content"))
            )
        )


def redact_texts(texts: Sequence[str | None]) -> list[str | None]:
    """Return ``texts`` with their PII replaced by typed placeholders.

    >>> redact_texts(["mail j.doe@example.com or call +44 20 7946 0958", None, "café"])
    ['mail [EMAIL] or call [PHONE]', None, 'café']
    """
    series = pl.Series("text", list(texts), dtype=pl.String)
    redaction = Redaction.of(series)
    return series.to_frame().select(redaction.expr(pl.col("text")))["text"].to_list()
