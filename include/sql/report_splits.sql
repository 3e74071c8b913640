-- The survey and charter figures the report splits, per serving unit (served_by_code), 本省籍 or not
-- (native) and home province (the first two digits of home_county_code): the report sums them to the
-- 本省籍 / 外省籍 splits and, for 外省籍, to the receiving cities with their top home provinces.
-- The group parameter: '' counts every worker, a group name only the workers in that priority group
-- (priority_groups holds the campaign's groups joined by 、). The plan is the latest published one (-1: none).
-- transported counts as report_outcomes.sql does: riders the carriers returned as boarded (是), and the plan's
-- riders whose trip has not come back yet (计划).
SELECT w.served_by_code AS county_code, w.native, SUBSTR(w.home_county_code, 1, 2) AS home_province,
       COUNT(*) AS workers,
       SUM(CASE WHEN w.trip_type = '返乡' THEN 1 ELSE 0 END) AS returning_home,
       SUM(CASE WHEN w.trip_type = '返岗' THEN 1 ELSE 0 END) AS returning_to_work,
       SUM(CASE WHEN w.needs_charter = :yes THEN 1 ELSE 0 END) AS charter_requests,
       SUM(CASE WHEN a.status = '包车' THEN 1 ELSE 0 END) AS chartered,
       SUM(CASE WHEN a.status = '包车' AND (r.boarded = '是' OR r.boarded IS NULL) THEN 1 ELSE 0 END) AS transported,
       SUM(CASE WHEN a.status = '集中购票' THEN 1 ELSE 0 END) AS referred,
       SUM(CASE WHEN w.job_need <> '无' THEN 1 ELSE 0 END) AS job_seekers,
       SUM(CASE WHEN w.needs_training = :yes THEN 1 ELSE 0 END) AS training_demand
FROM survey_worker w
LEFT JOIN charter_assignment a ON a.plan_id = :plan_id AND a.id_number = w.id_number
LEFT JOIN trip_return r ON r.campaign_id = :campaign_id AND r.record = 'rider'
                       AND r.trip_id = a.trip_id AND r.id_number = a.id_number
WHERE w.campaign_id = :campaign_id
  AND (:group = '' OR '、' || w.priority_groups || '、' LIKE '%、' || :group || '、%')
GROUP BY w.served_by_code, w.native, SUBSTR(w.home_county_code, 1, 2)
