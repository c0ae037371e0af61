"""Great Expectations suites as code, one module per table, and their runner.

Empty until the data-quality issue (#5) lands: the suites for raw records, turns, signals,
findings and clause_metrics, run on an ephemeral context and wired as Dagster asset checks.
"""
