-- Drift tests of the newest window for one spec version and comparison ('window' or 'model'),
-- optionally one clause. Parameters: $spec_id, $spec_version, $comparison, $clause_id (null = all).
SELECT * FROM drift_tests
WHERE spec_id = $spec_id AND spec_version = $spec_version AND comparison = $comparison
  AND ($clause_id IS NULL OR clause_id = $clause_id)
  AND (window_start, window_end) = (
      SELECT (window_start, window_end) FROM drift_tests
      WHERE spec_id = $spec_id AND spec_version = $spec_version
      ORDER BY window_end DESC, window_start LIMIT 1)
ORDER BY q_value NULLS LAST, clause_id, model_a, model_b
LIMIT 2000
