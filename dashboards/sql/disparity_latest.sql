-- Omnibus disparity tests (refusal, moralizing, hedging across the group a prompt mentions) of the
-- newest window. Parameters: none.
SELECT model, outcome, groups, test, statistic, p_value, adjusted_p AS q_value, effect_name,
       effect, effect_low, effect_high, verdict, window_start, window_end
FROM disparity_tests
WHERE scope = 'omnibus'
  AND (window_start, window_end) = (
      SELECT (window_start, window_end) FROM disparity_tests
      ORDER BY window_end DESC, window_start LIMIT 1)
ORDER BY adjusted_p NULLS LAST, model, outcome
LIMIT 500
