-- Which county each loaded county submission (survey, training classes, fair results) belongs to: its
-- loaded rows per county. The report counts a file for the county most of its rows belong to, so the
-- rows read and quarantined in it are that county's data quality.
SELECT b.id AS batch_id, b.rows_read, b.rows_quarantined, b.rows_merged, r.county_code, r.n
FROM submission_batch b
JOIN (
    SELECT batch_id, served_by_code AS county_code, COUNT(*) AS n
    FROM survey_worker WHERE campaign_id = :campaign_id GROUP BY batch_id, served_by_code
    UNION ALL
    SELECT batch_id, county_code, COUNT(*) FROM training_class WHERE campaign_id = :campaign_id
    GROUP BY batch_id, county_code
    UNION ALL
    SELECT batch_id, county_code, COUNT(*) FROM fair_result WHERE campaign_id = :campaign_id
    GROUP BY batch_id, county_code
) r ON r.batch_id = b.id
WHERE b.campaign_id = :campaign_id AND b.status = 'loaded'
