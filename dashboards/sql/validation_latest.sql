-- The newest validation run (validation_results, written by the expectations suites): failed
-- checks first, errors before warnings.
SELECT run_at, table_name, suite, expectation, column_name, severity, success, element_count,
       unexpected_count, observed_value, description, first_day, last_day, run_id
FROM validation_results
WHERE run_id = (SELECT run_id FROM validation_results ORDER BY run_at DESC LIMIT 1)
ORDER BY success, severity, table_name, expectation
LIMIT 1000
