-- Measured accuracy of each clause's verdict valid for one spec version, newest measurement first
-- (labeller_accuracy: evaluation on labelled data and auditor reviews). Parameters: $spec_version.
SELECT clause_id, sensitivity, specificity, n_pos, n_neg, source, measured_at
FROM labeller_accuracy
WHERE clause_id IS NOT NULL AND (spec_version IS NULL OR spec_version = $spec_version)
QUALIFY row_number() OVER (PARTITION BY clause_id ORDER BY measured_at DESC NULLS LAST) = 1
