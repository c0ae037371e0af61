"""The seeded sample-log generator: realistic production logs with known, injected changes.

Call ``generate_sample(Path("data/samples"), conversations=20_000, seed=7)``, optionally with
``injections=[Injection.parse("protect_privacy:assistant-2026-08:+12:0.05:0.25")]``; see
``spec_audit.sample.generate`` for the files it writes and ``spec_audit.sample.injection`` for
planted changes.
"""

from spec_audit.sample.generate import SampleResult, generate_sample
from spec_audit.sample.injection import Injection

__all__ = ["Injection", "SampleResult", "generate_sample"]
