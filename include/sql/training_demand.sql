-- Training demand from the survey: workers who asked for skills training, per home county and trade.
SELECT home_county_code AS county_code, training_trade AS trade, COUNT(*) AS people
FROM survey_worker
WHERE campaign_id = :campaign_id AND needs_training = :yes
GROUP BY home_county_code, training_trade
