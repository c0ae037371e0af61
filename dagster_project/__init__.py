"""The spec-audit Dagster code location: a thin skin over the spec_audit core."""
