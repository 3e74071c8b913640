-- Data quality per submission kind: files received, rejected whole, rows read / loaded / quarantined / merged.
SELECT kind,
       COUNT(*) AS files,
       SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END) AS files_rejected,
       COALESCE(SUM(rows_read), 0) AS rows_read,
       COALESCE(SUM(rows_loaded), 0) AS rows_loaded,
       COALESCE(SUM(rows_quarantined), 0) AS rows_quarantined,
       COALESCE(SUM(rows_merged), 0) AS rows_merged
FROM submission_batch
WHERE campaign_id = :campaign_id
GROUP BY kind
