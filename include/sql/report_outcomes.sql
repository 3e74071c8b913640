-- What became of the latest published plan's riders (plan_id -1: none), per county that serves them (as
-- report_by_county.sql counts `chartered`): boarded (是), no-shows (否), switched (改乘) as the carriers returned
-- them (trip_return, whatever plan the return was checked against: trip ids are stable across re-plans), and
-- not_returned: riders whose trip has not come back yet, who count as planned (计划).
SELECT w.served_by_code AS county_code,
       COUNT(*) AS planned,
       SUM(CASE WHEN r.boarded = '是' THEN 1 ELSE 0 END) AS boarded,
       SUM(CASE WHEN r.boarded = '否' THEN 1 ELSE 0 END) AS no_shows,
       SUM(CASE WHEN r.boarded = '改乘' THEN 1 ELSE 0 END) AS switched,
       SUM(CASE WHEN r.boarded IS NULL THEN 1 ELSE 0 END) AS not_returned
FROM charter_assignment a
JOIN survey_worker w ON w.campaign_id = :campaign_id AND w.id_number = a.id_number
LEFT JOIN trip_return r ON r.campaign_id = :campaign_id AND r.record = 'rider'
                       AND r.trip_id = a.trip_id AND r.id_number = a.id_number
WHERE a.plan_id = :plan_id AND a.status = '包车'
GROUP BY w.served_by_code
