"""PII redaction: emails, phones, cards, IBANs, SSNs, IPs and secrets replaced by typed placeholders.

>>> from spec_audit.pii import redact_texts
>>> redact_texts(["card 4111 1111 1111 1111, key sk-proj-AbCdEfGhIjKlMnOpQrStUv12"])
['card [CARD], key [SECRET]']
"""

from spec_audit.pii.detect import KINDS, candidates, classify
from spec_audit.pii.redact import Redaction, placeholder, redact_texts

__all__ = ["KINDS", "Redaction", "candidates", "classify", "placeholder", "redact_texts"]
