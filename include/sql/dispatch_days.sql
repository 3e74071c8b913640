-- Departures of 本省籍 返岗 workers per home county and day (送工: 外省籍 workers arrive, they are not sent). A worker on a coach of the campaign's latest
-- published charter plan (plan_id -1 when there is none) leaves on the coach's day, which may be
-- shifted from the day the survey recorded.
SELECT w.home_county_code AS county_code, COALESCE(a.travel_date, w.travel_date) AS day, COUNT(*) AS people
FROM survey_worker w
LEFT JOIN charter_assignment a
    ON a.plan_id = :plan_id AND a.id_number = w.id_number AND a.status = '包车'
WHERE w.campaign_id = :campaign_id AND w.trip_type = '返岗' AND w.native = :yes
GROUP BY w.home_county_code, COALESCE(a.travel_date, w.travel_date)
