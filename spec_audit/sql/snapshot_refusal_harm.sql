-- The refusal quadrant per harm category, pre-aggregated when a snapshot is published: of every
-- labelled turn, prompt intent × refused (partly or fully), complied or no reply, per day, model,
-- surface and harm category (from signals). The Overview and Refusals pages sum it over the
-- filters instead of scanning every turn's signals. Parameters: $days.
INSERT INTO snapshot_refusal_harm
SELECT
    day, model, surface, harm_category, prompt_intent,
    count(*) FILTER (WHERE refusal = 'none')::BIGINT AS complied,
    count(*) FILTER (WHERE refusal IN ('partial', 'full'))::BIGINT AS refused,
    count(*) FILTER (WHERE refusal IS NULL)::BIGINT AS no_reply
FROM signals
WHERE day IN (SELECT unnest($days::DATE[]))
GROUP BY ALL
ORDER BY day, model, surface, harm_category, prompt_intent;
