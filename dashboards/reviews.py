"""Auditor reviews: where they are stored, and the labeller accuracy they measure.

Reviews go to a small DuckDB file of their own, ``<db stem>.reviews.duckdb`` beside the audit
database, not to the audit database: an audit holds the audit file's write lock for minutes, and
the snapshot dashboards read is read-only, so a review written there would wait for (or block) the
audit. Each write opens the reviews file, inserts in one transaction and closes it at once.

A review sample is stratified by clause × labeller verdict, so violations (rare) are reviewed as
often as compliant turns. Sample proportions are therefore weighted back to the population: in a
stratum of N findings of which n were reviewed, each review stands for N / n findings. From the
precision of flagged findings (PPV) and the share of unflagged findings the auditor also found
compliant (NPV), the population confusion matrix gives sensitivity (= recall), specificity and
Cohen's kappa; their 95% intervals redraw PPV and NPV from Jeffreys Beta distributions.
Sensitivity and specificity are written to the audit database's ``labeller_accuracy``
(source 'auditor reviews') so the statistics correct each clause's rate with them.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import polars.selectors as cs

from spec_audit.errors import UserError
from spec_audit.stats.intervals import wilson
from spec_audit.store import connect, transaction

SQL_DIR = Path(__file__).resolve().parent / "sql"
SOURCE = "auditor reviews"
VERDICTS = ("violation", "compliant")
#: Bootstrap draws per clause for the intervals of sensitivity, specificity and kappa.
DRAWS = 4000
REVIEW_COLUMNS = {
    "reviewed_at": pl.Datetime("us", "UTC"),
    "reviewer": pl.String,
    "turn_id": pl.String,
    "conversation_id": pl.String,
    "day": pl.Date,
    "model": pl.String,
    "surface": pl.String,
    "spec_id": pl.String,
    "spec_version": pl.String,
    "clause_id": pl.String,
    "labeller_verdict": pl.String,
    "auditor_verdict": pl.String,
    "stratum_size": pl.Int64,
    "note": pl.String,
}


def reviews_path(db: Path) -> Path:
    """Return the reviews file kept beside the audit database ``db``."""
    return db.with_name(f"{db.stem}.reviews{db.suffix or '.duckdb'}")


def _open(path: Path, attempts: int = 30) -> duckdb.DuckDBPyConnection:
    """Return a connection to the reviews file, retrying briefly while another process holds it."""
    for attempt in range(attempts):
        try:
            con = duckdb.connect(str(path))
            break
        except duckdb.IOException:
            if attempt == attempts - 1:
                raise UserError(f"{path}: reviews file is busy in another process; retry") from None
            time.sleep(0.1)
    con.execute("SET TimeZone = 'UTC'")
    con.execute((SQL_DIR / "reviews_schema.sql").read_text(encoding="utf-8"))
    return con


def record_reviews(path: Path, reviews: pl.DataFrame) -> int:
    """Return the number of reviews appended to the reviews file at ``path`` (one transaction).

    ``reviews`` has the columns of ``REVIEW_COLUMNS`` except ``reviewed_at``, which is now.
    A verdict other than violation/compliant or an empty reviewer is a ``UserError``.
    """
    bad = reviews.filter(
        ~pl.col("auditor_verdict").is_in(VERDICTS) | ~pl.col("labeller_verdict").is_in(VERDICTS)
    )
    if bad.height:
        raise UserError(f"review of {bad['turn_id'][0]}: verdict must be violation or compliant")
    if reviews.filter(pl.col("reviewer").fill_null("").str.strip_chars() == "").height:
        raise UserError("review: reviewer name is empty")
    now = dt.datetime.now(dt.UTC)
    rows = reviews.with_columns(reviewed_at=pl.lit(now, dtype=REVIEW_COLUMNS["reviewed_at"]))
    rows = rows.select(pl.col(name).cast(dtype) for name, dtype in REVIEW_COLUMNS.items())
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path)
    try:
        with transaction(con):
            con.register("new_reviews", rows.to_arrow())
            con.execute(f"INSERT INTO reviews SELECT {', '.join(REVIEW_COLUMNS)} FROM new_reviews")
    finally:
        con.close()
    return rows.height


def load_reviews(path: Path, spec_id: str, spec_version: str) -> pl.DataFrame:
    """Return the newest review of each finding of one spec version (empty when none)."""
    if not path.exists():
        return pl.DataFrame(schema=REVIEW_COLUMNS)
    con = _open(path)
    try:
        sql = (SQL_DIR / "reviews_latest.sql").read_text(encoding="utf-8")
        frame = con.sql(sql, params={"spec_id": spec_id, "spec_version": spec_version}).pl()
    finally:
        con.close()
    return frame.select(pl.col(name).cast(dtype) for name, dtype in REVIEW_COLUMNS.items())


def agreement(reviews: pl.DataFrame, *, seed: int = 0, draws: int = DRAWS) -> pl.DataFrame:
    """Return per clause the labeller's agreement with the auditors, weighted to the population.

    Columns: clause_id, reviewed, tp, fp, fn, tn (reviews), n_pos / n_neg (reviews the auditor
    judged violation / compliant), precision with its Wilson interval, recall (= sensitivity),
    specificity and kappa, each with a 95% bootstrap interval. Sensitivity, specificity and kappa
    need both strata reviewed; otherwise they are null.

    With every finding reviewed (weights 1) this is plain Cohen's kappa:

    >>> rows = [("c", "violation", "violation")] * 8 + [("c", "violation", "compliant")] * 2
    >>> rows += [("c", "compliant", "violation")] + [("c", "compliant", "compliant")] * 9
    >>> frame = pl.DataFrame(rows, schema=["clause_id", "labeller_verdict", "auditor_verdict"],
    ...                      orient="row").with_columns(stratum_size=pl.lit(10))
    >>> out = agreement(frame).row(0, named=True)
    >>> round(out["kappa"], 4), round(out["recall"], 4), round(out["specificity"], 4), out["precision"]
    (0.7, 0.8889, 0.8182, 0.8)
    """
    flagged = pl.col("labeller_verdict") == "violation"
    truly = pl.col("auditor_verdict") == "violation"
    counts = (
        reviews.group_by("clause_id")
        .agg(
            reviewed=pl.len(),
            tp=(flagged & truly).sum(),
            fp=(flagged & ~truly).sum(),
            fn=(~flagged & truly).sum(),
            tn=(~flagged & ~truly).sum(),
            # The newest sample's stratum size stands for the population of each stratum.
            n_flagged=pl.col("stratum_size").filter(flagged).last(),
            n_unflagged=pl.col("stratum_size").filter(~flagged).last(),
        )
        .sort("clause_id")
        .with_columns(pl.col("tp", "fp", "fn", "tn").cast(pl.Int64))
    )
    tp, fp, fn, tn = (counts[c].to_numpy().astype(float) for c in ("tp", "fp", "fn", "tn"))
    big_f = counts["n_flagged"].fill_null(0).to_numpy().astype(float)
    big_u = counts["n_unflagged"].fill_null(0).to_numpy().astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        ppv, npv = tp / (tp + fp), tn / (tn + fn)
    recall, specificity, kappa = _population(ppv, npv, big_f, big_u)
    rng = np.random.default_rng(seed)
    shape = (counts.height, draws)
    boot_ppv = rng.beta(tp[:, None] + 0.5, fp[:, None] + 0.5, size=shape)
    boot_npv = rng.beta(tn[:, None] + 0.5, fn[:, None] + 0.5, size=shape)
    boot = _population(boot_ppv, boot_npv, big_f[:, None], big_u[:, None])
    both = ((tp + fp) > 0) & ((tn + fn) > 0)
    p_low, p_high = wilson(tp, tp + fp)
    out = counts.select("clause_id", "reviewed", "tp", "fp", "fn", "tn").with_columns(
        n_pos=pl.col("tp") + pl.col("fn"),
        n_neg=pl.col("fp") + pl.col("tn"),
        precision=pl.Series(ppv),
        precision_low=pl.Series(p_low),
        precision_high=pl.Series(p_high),
    )
    for name, point, draws_ in zip(
        ("recall", "specificity", "kappa"), (recall, specificity, kappa), boot, strict=True
    ):
        with np.errstate(invalid="ignore"):
            low, high = np.nanquantile(np.where(both[:, None], draws_, 0.0), [0.025, 0.975], axis=1)
        out = out.with_columns(
            pl.Series(name, np.where(both, point, np.nan)),
            pl.Series(f"{name}_low", np.where(both, low, np.nan)),
            pl.Series(f"{name}_high", np.where(both, high, np.nan)),
        )
    return out.with_columns(cs.float().fill_nan(None))


def _population(ppv, npv, big_f, big_u):
    """Return (sensitivity, specificity, kappa) of the population confusion matrix."""
    tp, fp = big_f * ppv, big_f * (1 - ppv)
    tn, fn = big_u * npv, big_u * (1 - npv)
    total = tp + fp + fn + tn
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = (tp + tn) / total
        expected = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / total**2
        return tp / (tp + fn), tn / (tn + fp), (observed - expected) / (1 - expected)


def accuracy_rows(measured: pl.DataFrame, spec_version: str) -> pl.DataFrame:
    """Return ``labeller_accuracy`` rows (source 'auditor reviews') for clauses with both measures."""
    usable = measured.filter(pl.col("recall").is_not_null() & pl.col("specificity").is_not_null())
    return usable.select(
        "clause_id",
        pl.lit(None, dtype=pl.String).alias("signal"),
        pl.lit("verdict").alias("labeller_version"),
        pl.lit(spec_version).alias("spec_version"),
        pl.col("recall").alias("sensitivity"),
        "specificity",
        pl.col("n_pos").cast(pl.Int64),
        pl.col("n_neg").cast(pl.Int64),
        pl.lit(SOURCE).alias("source"),
        pl.lit(dt.datetime.now(dt.UTC), dtype=pl.Datetime("us", "UTC")).alias("measured_at"),
    )


def write_accuracy(db: Path, rows: pl.DataFrame, spec_version: str) -> int:
    """Return the rows written to ``labeller_accuracy`` of the live audit database ``db``.

    The previous 'auditor reviews' rows of the spec version are replaced in one short
    transaction. While an audit holds the database this fails at once with a ``UserError``
    (the reviews stay safe in their own file; write again after the audit).
    """
    con = connect(db)
    try:
        with transaction(con):
            con.execute(
                "DELETE FROM labeller_accuracy WHERE source = ? AND spec_version = ?",
                [SOURCE, spec_version],
            )
            con.register("review_accuracy", rows.to_arrow())
            con.execute(
                "INSERT INTO labeller_accuracy (clause_id, signal, labeller_version, spec_version, "
                "sensitivity, specificity, n_pos, n_neg, source, measured_at) "
                "SELECT * FROM review_accuracy"
            )
    finally:
        con.close()
    return rows.height
