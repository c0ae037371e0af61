"""Great Expectations suites as code, one module per table, and their runner.

``ingest`` (raw records as stored: ingest_manifest, conversations, rejected_records), ``turns``,
``signals``, ``findings``, ``clause_metrics`` and ``statistics`` (drift, disparity and change-point
tables) each build a ``runner.Suite`` with thresholds from ``thresholds.yaml``; ``identities``
holds the cross-table SQL checks (``sql/``). ``spec_audit.validation.validate`` runs them and
stores the results; ``dagster_project/defs/checks.py`` wires them as asset checks.
"""
