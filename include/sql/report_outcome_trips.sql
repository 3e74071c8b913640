-- Each trip of the latest published plan with what its carrier returned (nothing yet: returned = 0).
SELECT t.trip_id, t.travel_date, t.route, t.seats, t.passengers, c.name AS carrier,
       CASE WHEN r.trip_id IS NULL THEN 0 ELSE 1 END AS returned,
       r.ran, r.riders, r.overcrowded
FROM charter_trip t
JOIN charter_plan p ON p.id = t.plan_id
LEFT JOIN carrier c ON c.campaign_id = p.campaign_id AND c.uscc = t.carrier_uscc
LEFT JOIN trip_return r ON r.campaign_id = p.campaign_id AND r.record = 'trip' AND r.trip_id = t.trip_id
WHERE t.plan_id = :plan_id
ORDER BY t.travel_date, t.trip_id
