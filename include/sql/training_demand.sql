-- Training demand from the survey: workers who asked for skills training, per county that serves them
-- (本省籍: home county; 外省籍: where they work) and trade.
SELECT served_by_code AS county_code, training_trade AS trade, COUNT(*) AS people
FROM survey_worker
WHERE campaign_id = :campaign_id AND needs_training = :yes
GROUP BY served_by_code, training_trade
