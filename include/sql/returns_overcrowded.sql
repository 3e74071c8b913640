-- Trips a carrier returned with more riders than seats (超员), with the route and carrier the plan names.
SELECT r.trip_id, r.travel_date, r.plate, r.driver, r.departed_at, r.riders, r.seats,
       t.route, c.name AS carrier
FROM trip_return r
LEFT JOIN charter_trip t ON t.plan_id = r.plan_id AND t.trip_id = r.trip_id
LEFT JOIN carrier c ON c.campaign_id = r.campaign_id AND c.uscc = t.carrier_uscc
WHERE r.campaign_id = :campaign_id AND r.record = 'trip' AND r.overcrowded
ORDER BY r.travel_date, r.trip_id
