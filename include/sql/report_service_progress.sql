-- Each area's latest cumulative figure of each service item up to the report date (an area reports a
-- running total per 截至日期; the report takes the newest one not after the report date).
SELECT p.area_code, p.city_code, p.item_code, p.figure_code, p.as_of, p.value
FROM service_progress p
WHERE p.campaign_id = :campaign_id
  AND p.as_of = (SELECT MAX(q.as_of) FROM service_progress q
                 WHERE q.campaign_id = p.campaign_id AND q.area_code = p.area_code
                   AND q.item_code = p.item_code AND q.figure_code = p.figure_code AND q.as_of <= :as_of)
