-- Province totals straight from the row tables, without any grouping by area: the report gate compares
-- them with the sums of the county rows, so a row whose county is missing or wrong cannot go unnoticed.
SELECT
    (SELECT COUNT(*) FROM survey_worker WHERE campaign_id = :campaign_id) AS workers,
    (SELECT COUNT(*) FROM survey_worker WHERE campaign_id = :campaign_id AND trip_type = '返乡') AS returning_home,
    (SELECT COUNT(*) FROM survey_worker WHERE campaign_id = :campaign_id AND trip_type = '返岗') AS returning_to_work,
    (SELECT COUNT(*) FROM survey_worker WHERE campaign_id = :campaign_id AND needs_charter = :yes) AS charter_requests,
    (SELECT COUNT(*) FROM charter_assignment WHERE plan_id = :plan_id AND status = '包车') AS chartered,
    (SELECT COUNT(*) FROM charter_assignment WHERE plan_id = :plan_id AND status = '集中购票') AS referred,
    (SELECT COALESCE(SUM(passengers), 0) FROM charter_trip WHERE plan_id = :plan_id AND mode = 'coach') AS trip_passengers,
    -- 专列（车厢）: feeder coaches carry rail riders to the station; the carriages seat every rail rider
    (SELECT COALESCE(SUM(passengers), 0) FROM charter_trip WHERE plan_id = :plan_id AND mode = 'feeder') AS feeder_passengers,
    (SELECT COUNT(*) FROM charter_assignment WHERE plan_id = :plan_id AND status = '铁路' AND trip_id IS NOT NULL) AS fed_riders,
    (SELECT COUNT(*) FROM charter_assignment WHERE plan_id = :plan_id AND status = '铁路') AS rail_riders,
    (SELECT COALESCE(SUM(riders), 0) FROM charter_car WHERE plan_id = :plan_id) AS car_riders,
    (SELECT COUNT(*) FROM charter_trip WHERE plan_id = :plan_id) AS trips,
    (SELECT COALESCE(SUM(cost), 0) FROM charter_trip WHERE plan_id = :plan_id) AS trip_cost,
    (SELECT COUNT(*) FROM training_class WHERE campaign_id = :campaign_id) AS classes,
    (SELECT COALESCE(SUM(enrolled), 0) FROM training_class WHERE campaign_id = :campaign_id) AS enrolled,
    (SELECT COALESCE(SUM(completed), 0) FROM training_class WHERE campaign_id = :campaign_id) AS completed,
    (SELECT COUNT(*) FROM job_fair WHERE plan_id = :fair_plan_id) AS fairs_planned,
    (SELECT COUNT(*) FROM fair_result WHERE campaign_id = :campaign_id) AS fairs_held,
    (SELECT COALESCE(SUM(attendance), 0) FROM fair_result WHERE campaign_id = :campaign_id) AS fair_attendance,
    (SELECT COALESCE(SUM(intentions), 0) FROM fair_result WHERE campaign_id = :campaign_id) AS fair_intentions
