-- Riders of the latest published plan whom the carrier returned as not boarded (否) or switched (改乘), with
-- the county that serves them: for the county's own list (a file kept in the system, never an email).
SELECT w.served_by_code AS county_code, w.name, w.id_number, w.phone, a.trip_id, a.travel_date, t.route,
       r.boarded
FROM charter_assignment a
JOIN survey_worker w ON w.campaign_id = :campaign_id AND w.id_number = a.id_number
JOIN trip_return r ON r.campaign_id = :campaign_id AND r.record = 'rider'
                  AND r.trip_id = a.trip_id AND r.id_number = a.id_number
LEFT JOIN charter_trip t ON t.plan_id = a.plan_id AND t.trip_id = a.trip_id
WHERE a.plan_id = :plan_id AND a.status = '包车' AND r.boarded <> '是'
ORDER BY w.served_by_code, a.travel_date, a.trip_id, w.name
