-- The dated records behind the dashboard's week-by-week trend: per headline figure and day, how much.
-- Counted as report_by_county.sql counts them (so the last week's running total equals the headline):
-- workers by the survey form's 填报日期, people chartered on the latest published plan by their travel day,
-- classes by start day, trainees completed by end day, fairs held and intentions by the fair's day.
SELECT 'workers' AS figure, reported_on AS day, COUNT(*) AS n
FROM survey_worker WHERE campaign_id = :campaign_id GROUP BY reported_on
UNION ALL
SELECT 'chartered', a.travel_date, COUNT(*)
FROM charter_assignment a
JOIN survey_worker w ON w.campaign_id = :campaign_id AND w.id_number = a.id_number
WHERE a.plan_id = :plan_id AND a.status = '包车' GROUP BY a.travel_date
UNION ALL
SELECT 'classes', start_date, COUNT(*) FROM training_class WHERE campaign_id = :campaign_id GROUP BY start_date
UNION ALL
SELECT 'completed', end_date, SUM(completed) FROM training_class WHERE campaign_id = :campaign_id GROUP BY end_date
UNION ALL
SELECT 'fairs_held', fair_date, COUNT(*) FROM fair_result WHERE campaign_id = :campaign_id GROUP BY fair_date
UNION ALL
SELECT 'fair_intentions', fair_date, SUM(intentions) FROM fair_result WHERE campaign_id = :campaign_id GROUP BY fair_date
