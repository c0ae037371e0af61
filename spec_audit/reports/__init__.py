"""Compliance reports: scope, method, uncertainty and evidence, reproducible byte for byte.

``generate.generate_report`` reads the published snapshot and writes report.html, report.pdf,
report.json, clauses.csv, findings.csv, manifest.json and SHA256SUMS; ``verify.verify`` checks a
folder against its SHA256SUMS; ``build.build_report`` returns the report's data without writing.
This module stays import-light (the CLI imports it at start-up); import the parts directly.
"""

#: Output formats, in the order they are written.
FORMATS = ("html", "pdf", "json", "csv")
