"""A small hand-built audit database: clause_metrics, signals and labeller_accuracy for 14 days."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from spec_audit.config import spec_path
from spec_audit.spec.catalog import Catalog, load_catalog
from spec_audit.store import connect

START, END = dt.date(2026, 10, 1), dt.date(2026, 10, 14)
SHIFT_DAY = dt.date(2026, 10, 8)  # the first current day: the last 7 of the 14 days


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(spec_path())


def fill(con: duckdb.DuckDBPyConnection) -> None:
    """Write the fixture rows (per day: model, clause, applicable, violations)."""
    con.execute(
        """
        INSERT INTO clause_metrics BY NAME
        SELECT day::DATE AS day, model, 'chat' AS surface, 'model-spec' AS spec_id,
               '2025-12-18' AS spec_version, clause_id, kind, applicable,
               violations, 0 AS unscored, violations / applicable AS rate,
               NULL AS ci_low, NULL AS ci_high
        FROM generate_series(DATE '2026-10-01', DATE '2026-10-14', INTERVAL 1 DAY) AS t(day),
        (VALUES
            -- rule clause: 5% before the shift day, 15% from it, on the newer model
            ('m-2026-10', 'assume_best_intentions', 'over_refusal', 400, 20, 60),
            -- the older model stays at 5%
            ('m-2026-08', 'assume_best_intentions', 'over_refusal', 400, 20, 20),
            -- a default clause that does not change
            ('m-2026-10', 'avoid_sycophancy', 'style', 400, 20, 20),
            -- too few applicable turns for any test (21 per window)
            ('m-2026-10', 'express_uncertainty', 'hallucination', 3, 0, 1)
        ) AS c(model, clause_id, kind, applicable, before, after)
        CROSS JOIN LATERAL (
            SELECT CASE WHEN day < DATE '2026-10-08' THEN before ELSE after END AS violations
        )
        """
    )
    con.execute(
        """
        CREATE TABLE signals AS
        SELECT DATE '2026-10-05' AS day, 'm-2026-10' AS model, g AS group_mentioned,
               CASE WHEN i < refused THEN 'full' ELSE 'none' END AS refusal,
               false AS moralizing, CASE WHEN i % 4 = 0 THEN 1.5 ELSE 0.0 END AS hedging,
               true AS has_reply
        FROM (VALUES ('none', 300, 30), ('religion', 200, 60), ('age', 100, 10),
                     ('gender', 10, 5)) AS t(g, n, refused),
             generate_series(0, n - 1) AS s(i)
        """
    )
    con.execute(
        "INSERT INTO labeller_accuracy (clause_id, sensitivity, specificity, n_pos, n_neg, "
        "measured_at) VALUES ('avoid_sycophancy', 0.8, 0.99, 100, 400, TIMESTAMPTZ '2026-09-01'), "
        "('avoid_sycophancy', 0.1, 0.1, 5, 5, TIMESTAMPTZ '2026-01-01')"
    )


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "audit.duckdb"
    con = connect(path)
    fill(con)
    con.close()
    return path
