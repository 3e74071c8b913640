-- 专列（车厢）figures of the published plan (plan_id -1: none) per serving unit (served_by_code): riders by
-- mode (包车: coach all the way; 铁路: on a train, 其中接驳: taken to the station by a feeder coach; 集中购票),
-- and, per unit, each carriage its riders sit in (train, carriage, 专列 or 车厢) for the distinct counts.
SELECT w.served_by_code AS county_code, a.status, a.train_id, a.carriage_no, c.mode AS car_mode,
       CASE WHEN a.trip_id IS NULL THEN 0 ELSE 1 END AS fed, COUNT(*) AS riders
FROM charter_assignment a
JOIN survey_worker w ON w.campaign_id = :campaign_id AND w.id_number = a.id_number
LEFT JOIN charter_car c ON c.plan_id = a.plan_id AND c.train_id = a.train_id AND c.carriage_no = a.carriage_no
WHERE a.plan_id = :plan_id
GROUP BY w.served_by_code, a.status, a.train_id, a.carriage_no, c.mode, CASE WHEN a.trip_id IS NULL THEN 0 ELSE 1 END
