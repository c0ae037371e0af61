"""The `spec-audit` command line: one module per command, a thin shell over the library."""
