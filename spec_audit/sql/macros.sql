-- SQL macros shared by every query that shows a rate: the Wilson score interval of k successes in
-- n trials at normal quantile z (null when n = 0). Created as temporary macros per connection.
CREATE OR REPLACE TEMP MACRO wilson_low(k, n, z) AS
    CASE WHEN n > 0 THEN greatest(0.0, least(
        (k / n + z * z / (2 * n) - z * sqrt((k / n) * (1 - k / n) / n + z * z / (4 * n * n)))
        / (1 + z * z / n), k / n))
    END;
CREATE OR REPLACE TEMP MACRO wilson_high(k, n, z) AS
    CASE WHEN n > 0 THEN least(1.0, greatest(
        (k / n + z * z / (2 * n) + z * sqrt((k / n) * (1 - k / n) / n + z * z / (4 * n * n)))
        / (1 + z * z / n), k / n))
    END;
