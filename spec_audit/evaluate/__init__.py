"""Evaluation: labelled conversations through the real pipeline, scored against their gold labels.

>>> from spec_audit.evaluate import evaluate, write_predictions, accuracy_rows, write_accuracy
>>> from spec_audit.evaluate.predict import FIELDS
>>> FIELDS
('refusal', 'prompt_harmful', 'over_refusal', 'under_refusal', 'hallucination', 'biased', 'unsafe_response', 'harm_category')
"""

from spec_audit.evaluate.accuracy import accuracy_rows, labeller_version, write_accuracy
from spec_audit.evaluate.harness import Evaluation, evaluate
from spec_audit.evaluate.predict import write_predictions

__all__ = [
    "Evaluation",
    "accuracy_rows",
    "evaluate",
    "labeller_version",
    "write_accuracy",
    "write_predictions",
]
