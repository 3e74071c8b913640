-- The report's figures per county that serves the workers (survey_worker.served_by_code: the home county
-- of 本省籍 workers, the receiving county or city of 外省籍 ones; rows only for units with data; the report
-- adds the counties without any as 未报送). Survey demand, the latest published charter plan (plan_id -1: none), training classes,
-- the latest published job-fair rollout (fair_plan_id -1: none) and the fairs counties reported held.
-- The splits by 本省籍 / 外省籍 and priority group come from report_splits.sql; the report gate checks that
-- they add up to these figures. _poor: what the counties report as 其中脱贫人口 on their training and fair forms.
WITH survey AS (
    SELECT served_by_code AS county_code,
           COUNT(*) AS workers,
           SUM(CASE WHEN trip_type = '返乡' THEN 1 ELSE 0 END) AS returning_home,
           SUM(CASE WHEN trip_type = '返岗' THEN 1 ELSE 0 END) AS returning_to_work,
           SUM(CASE WHEN needs_charter = :yes THEN 1 ELSE 0 END) AS charter_requests,
           SUM(CASE WHEN job_need <> '无' THEN 1 ELSE 0 END) AS job_seekers,
           SUM(CASE WHEN needs_training = :yes THEN 1 ELSE 0 END) AS training_demand
    FROM survey_worker
    WHERE campaign_id = :campaign_id
    GROUP BY served_by_code
), transport AS (
    SELECT w.served_by_code AS county_code,
           SUM(CASE WHEN a.status = '包车' THEN 1 ELSE 0 END) AS chartered,
           SUM(CASE WHEN a.status = '集中购票' THEN 1 ELSE 0 END) AS referred
    FROM charter_assignment a
    JOIN survey_worker w ON w.campaign_id = :campaign_id AND w.id_number = a.id_number
    WHERE a.plan_id = :plan_id
    GROUP BY w.served_by_code
), training AS (
    SELECT county_code,
           COUNT(*) AS classes,
           SUM(CASE WHEN class_type = '送工前' THEN 1 ELSE 0 END) AS pre_dispatch_classes,
           SUM(places) AS places, SUM(enrolled) AS enrolled, SUM(enrolled_poor) AS enrolled_poor,
           SUM(completed) AS completed, SUM(certified) AS certified
    FROM training_class
    WHERE campaign_id = :campaign_id
    GROUP BY county_code
), planned AS (
    SELECT county_code, COUNT(*) AS fairs_planned
    FROM job_fair
    WHERE plan_id = :fair_plan_id
    GROUP BY county_code
), fairs AS (
    SELECT county_code,
           COUNT(*) AS fairs_held, SUM(employers) AS fair_employers, SUM(positions) AS fair_positions,
           SUM(attendance) AS fair_attendance, SUM(attendance_poor) AS fair_attendance_poor,
           SUM(intentions) AS fair_intentions, SUM(intentions_poor) AS fair_intentions_poor
    FROM fair_result
    WHERE campaign_id = :campaign_id
    GROUP BY county_code
), codes AS (
    SELECT county_code FROM survey
    UNION SELECT county_code FROM transport
    UNION SELECT county_code FROM training
    UNION SELECT county_code FROM planned
    UNION SELECT county_code FROM fairs
)
SELECT c.county_code,
       COALESCE(s.workers, 0) AS workers,
       COALESCE(s.returning_home, 0) AS returning_home, COALESCE(s.returning_to_work, 0) AS returning_to_work,
       COALESCE(s.charter_requests, 0) AS charter_requests, COALESCE(t.chartered, 0) AS chartered,
       COALESCE(t.referred, 0) AS referred,
       COALESCE(s.job_seekers, 0) AS job_seekers, COALESCE(s.training_demand, 0) AS training_demand,
       COALESCE(g.classes, 0) AS classes, COALESCE(g.pre_dispatch_classes, 0) AS pre_dispatch_classes,
       COALESCE(g.places, 0) AS places, COALESCE(g.enrolled, 0) AS enrolled,
       COALESCE(g.enrolled_poor, 0) AS enrolled_poor, COALESCE(g.completed, 0) AS completed,
       COALESCE(g.certified, 0) AS certified,
       COALESCE(p.fairs_planned, 0) AS fairs_planned, COALESCE(f.fairs_held, 0) AS fairs_held,
       COALESCE(f.fair_employers, 0) AS fair_employers, COALESCE(f.fair_positions, 0) AS fair_positions,
       COALESCE(f.fair_attendance, 0) AS fair_attendance, COALESCE(f.fair_attendance_poor, 0) AS fair_attendance_poor,
       COALESCE(f.fair_intentions, 0) AS fair_intentions, COALESCE(f.fair_intentions_poor, 0) AS fair_intentions_poor
FROM codes c
LEFT JOIN survey s ON s.county_code = c.county_code
LEFT JOIN transport t ON t.county_code = c.county_code
LEFT JOIN training g ON g.county_code = c.county_code
LEFT JOIN planned p ON p.county_code = c.county_code
LEFT JOIN fairs f ON f.county_code = c.county_code
