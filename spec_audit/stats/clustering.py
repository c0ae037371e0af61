"""Design effects: how much more a clause's violation rate varies than if every turn were independent.

Turns are not independent draws: the turns of one conversation share its topic, its wording and
its system prompt, so a labeller that finds one of them applicable or violating tends to find the
others so too. Counted per turn, violations then come in clumps, and binomial tests (the drift
z-test, Fisher's test, the change-point CUSUM) read that day-to-day spread as a change.

The conversation is the independent unit. For a clause × model over some days, the violation rate
p̂ = K / N is a ratio estimator over conversations; its variance, with days as strata (each day's
conversations an independent sample of that day's traffic), is

    V = Σ_days C/(C − 1) · Σ_conversations (e − ē)²,   e = k − p̂·n,

for a conversation with k violations in n applicable turns, C conversations that day and ē their
mean residual; the binomial variance would be N·p̂·(1 − p̂). Their ratio is the design effect
(Rao & Scott 1992, "A simple method for the analysis of clustered binary data"): dividing the
counts by it gives effective counts that standard binomial tests handle correctly. It is floored
at 1, so series whose turns behave as independent keep the binomial tests unchanged, and is 1
where it cannot be estimated (no conversations recorded, or a rate of 0 or 1).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from spec_audit.spec.catalog import Catalog
from spec_audit.store import query

SQL = Path(__file__).resolve().parent / "sql" / "conversation_sums.sql"

#: Columns of ``conversation_sums``: per clause x model x day sums over its conversations.
SUMS = ("conversations", "applicable", "violations", "s_nn", "s_kk", "s_kn")


def conversation_sums(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, first: object, last: object
) -> pl.DataFrame:
    """Return per clause × model × day over [first, last] the conversations with an applicable
    turn, applicable turns, violations, and the sums over conversations of n², k² and k·n."""
    return query(
        con,
        SQL.read_text(encoding="utf-8"),
        {
            "spec_id": catalog.spec_id,
            "spec_version": catalog.version,
            "from": first,
            "to": last,
        },
    ).cast({c: pl.Float64 for c in SUMS})


def design_effects(sums: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Return per ``keys`` group of the daily ``sums`` rows its design effect (``design_effect``,
    at least 1), the days being strata; 1 where the rate is 0 or 1 or no day has two conversations.
    """
    if sums.is_empty():
        return sums.select(*keys).with_columns(design_effect=pl.lit(1.0))
    p = pl.col("violations").sum().over(keys) / pl.col("applicable").sum().over(keys)
    # Per day: Σ e² and Σ e over its conversations, with e = k - p̂·n.
    squares = pl.col("s_kk") - 2 * p * pl.col("s_kn") + p**2 * pl.col("s_nn")
    total = pl.col("violations") - p * pl.col("applicable")
    conversations = pl.col("conversations")
    spread = (
        pl.when(conversations > 1)
        .then(conversations / (conversations - 1) * (squares - total**2 / conversations))
        .otherwise(0.0)
    )
    binomial = pl.col("applicable").sum() * pl.col("p").first() * (1 - pl.col("p").first())
    return (
        sums.with_columns(p=p, spread=spread)
        .group_by(keys)
        .agg(variance=pl.col("spread").sum(), binomial=binomial)
        .select(
            *keys,
            design_effect=pl.when(pl.col("binomial") > 0)
            .then(pl.max_horizontal(pl.col("variance") / pl.col("binomial"), pl.lit(1.0)))
            .otherwise(1.0),
        )
    )
