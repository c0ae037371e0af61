"""Context grounding: how much of a reply the turn's context documents support.

Used by ``transforms.truthfulness`` for the turns that carry ``context_documents`` (retrieval
results, a passage to summarise). Both texts are normalised the same way (lower case, number words
as digits, no thousands separators, a light suffix strip so "scored" meets "scores"), then cut into
words; the reply's words about the source itself ("the passage describes", ``truth_source_meta``)
are dropped. A reply grounded in its documents re-uses their word pairs; a claim the documents do not
make (a wrong actor, a changed number, an invented detail) shows as word pairs they never contain.

``context_support`` is the share of the reply's distinct word pairs found in the documents, and
the reply is ``unsupported_by_context`` when at most half of them are: the reply then says more
that the documents do not say than what they do. That line is a principle, not a fit: a faithful
summary or answer is mostly made of the source's own phrasing, so a reply with a majority of new
word pairs is mostly not drawn from the source. A number (after normalisation) the documents do
not contain is a second, independent cue: a figure in a grounded reply must come from the source.
The evidence is that number, else the first word pair the documents lack.
"""

from __future__ import annotations

import polars as pl

from transforms.lexicon import load

#: The reply is unsupported when no more than this share of its word pairs is in the documents.
SUPPORT_THRESHOLD = 0.5
#: The row index column the caller adds to its turns before calling ``support``.
ROW = "__truthfulness_row"
_TOKEN = r"\p{N}+(?:\.\p{N}+)?|\p{L}+"
_NUMBER = r"^\p{N}"
_THOUSANDS = r"(\p{N}),(\p{N}{3})\b"
_SUFFIX = r"(?:ing|ed|es|s|ly)$"


def _number_words() -> dict[str, str]:
    """Return the number words of ``truth_number_words`` mapped to their digits."""
    return dict(line.split() for line in load("truth_number_words"))


def _tokens(frame: pl.LazyFrame, text: str) -> pl.LazyFrame:
    """Return one row per word of ``text`` per row: (row, word as written, normalised key)."""
    lowered = pl.col("word").str.to_lowercase()
    number = lowered.replace(_number_words())
    return (
        frame.select(
            ROW, word=pl.col(text).str.replace_all(_THOUSANDS, "$1$2").str.extract_all(_TOKEN)
        )
        .explode("word")
        .filter(pl.col("word").is_not_null())
        .with_columns(
            lower=lowered,
            key=pl.when(number.str.len_chars() > 4)
            .then(number.str.replace(_SUFFIX, ""))
            .otherwise(number),
        )
    )


def _pairs(tokens: pl.LazyFrame) -> pl.LazyFrame:
    """Return each row's consecutive word pairs: ``pair`` (their keys), ``surface`` (the two words
    as written, one space apart) and ``word`` (the first word as written)."""
    # Tokens of one row are consecutive, so the next token is the next row's unless the row changes.
    same_row = pl.col(ROW) == pl.col(ROW).shift(-1)
    return tokens.with_columns(
        pair=pl.when(same_row).then(pl.col("key") + " " + pl.col("key").shift(-1)),
        surface=pl.col("word") + " " + pl.col("word").shift(-1),
    ).filter(pl.col("pair").is_not_null())


def support(turns: pl.LazyFrame) -> pl.LazyFrame:
    """Return, per row index with documents and a reply, the support columns of ``label``.

    ``turns`` carries the row index column ``ROW``; the result has ``context_support``,
    ``__novel_pair`` (the first word pair the documents lack, as written), ``__novel_word`` (its
    first word) and
    ``__novel_number`` (the first number written in digits in the reply that they lack).
    """
    grounded = turns.filter(
        pl.col("reply_text").is_not_null() & (pl.col("context_documents").list.len() > 0)
    ).select(ROW, "reply_text", documents=pl.col("context_documents").list.join("\n"))
    about_source = list(load("truth_source_meta"))
    reply_tokens = _tokens(grounded, "reply_text").filter(~pl.col("lower").is_in(about_source))
    document_tokens = _tokens(grounded, "documents")
    reply_pairs = _pairs(reply_tokens)
    document_pairs = _pairs(document_tokens).select(ROW, "pair").unique()
    novel = reply_pairs.join(document_pairs, on=[ROW, "pair"], how="anti", maintain_order="left")
    share = (
        reply_pairs.group_by(ROW)
        .agg(pairs=pl.col("pair").n_unique())
        .join(
            novel.group_by(ROW).agg(
                novel=pl.col("pair").n_unique(),
                __novel_pair=pl.col("surface").first(),
                __novel_word=pl.col("word").first(),
            ),
            on=ROW,
            how="left",
        )
        .select(
            ROW,
            "__novel_pair",
            "__novel_word",
            context_support=1.0 - pl.col("novel").fill_null(0) / pl.col("pairs"),
        )
    )
    numbers = (
        reply_tokens.filter(pl.col("word").str.contains(_NUMBER))
        .join(
            document_tokens.select(ROW, "key").unique(),
            on=[ROW, "key"],
            how="anti",
            maintain_order="left",
        )
        .group_by(ROW)
        .agg(__novel_number=pl.col("word").first())
    )
    return grounded.select(ROW).join(share, on=ROW, how="left").join(numbers, on=ROW, how="left")
