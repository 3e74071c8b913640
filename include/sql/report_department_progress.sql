-- What each department reported, per service item: the newest 截至日期 of its figures up to the report date
-- (report.departments decides whether that falls in the report period).
SELECT p.department, p.item_code, MAX(p.as_of) AS latest, COUNT(DISTINCT p.area_code) AS areas
FROM service_progress p
WHERE p.campaign_id = :campaign_id AND p.as_of <= :as_of
GROUP BY p.department, p.item_code
