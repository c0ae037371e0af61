-- Change points of one clause (every model) in the newest window of a spec version.
-- Parameters: $spec_id, $spec_version, $clause_id.
SELECT model, verdict, direction, start_day, alarm_day, rate_before, rate_after, reference_rate,
       false_alarm, window_start, window_end
FROM change_points
WHERE spec_id = $spec_id AND spec_version = $spec_version AND clause_id = $clause_id
  AND (window_start, window_end) = (
      SELECT (window_start, window_end) FROM change_points
      WHERE spec_id = $spec_id AND spec_version = $spec_version
      ORDER BY window_end DESC, window_start LIMIT 1)
ORDER BY model
