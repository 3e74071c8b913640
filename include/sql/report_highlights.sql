-- The departments' highlights, problems and next steps written up to the report date, newest first.
SELECT h.department, h.item_code, h.category, h.title, h.content, h.area_code, h.report_date
FROM highlight h
WHERE h.campaign_id = :campaign_id AND h.report_date <= :as_of
ORDER BY h.report_date DESC, h.item_code, h.department, h.title
