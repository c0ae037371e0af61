"""The seeded sample-log generator: realistic production logs with known, injected changes.

Call ``generate_sample(Path("data/samples"), conversations=20_000, seed=7)``; see
``spec_audit.sample.generate`` for the files it writes.
"""

from spec_audit.sample.generate import SampleResult, generate_sample

__all__ = ["SampleResult", "generate_sample"]
