-- Loaded batches (any kind) whose rows do not add up: rows read = loaded + quarantined + merged.
-- Counted from the row tables themselves, not from the counters, so a bug in either shows here.
SELECT id, rows_read, loaded, quarantined, merged
FROM (
    SELECT b.id,
           b.rows_read,
           (SELECT COUNT(*) FROM survey_worker w WHERE w.batch_id = b.id)
           + (SELECT COUNT(*) FROM fleet_offer f WHERE f.batch_id = b.id)
           + (SELECT COUNT(*) FROM training_class t WHERE t.batch_id = b.id)
           + (SELECT COUNT(*) FROM job_opening o WHERE o.batch_id = b.id)
           + (SELECT COUNT(*) FROM fair_result r WHERE r.batch_id = b.id)
           + (SELECT COUNT(*) FROM service_progress p WHERE p.batch_id = b.id)
           + (SELECT COUNT(*) FROM highlight h WHERE h.batch_id = b.id)
           + (SELECT COUNT(*) FROM rail_offer ro WHERE ro.batch_id = b.id)
           + (SELECT COUNT(*) FROM trip_return tr WHERE tr.batch_id = b.id)
           + (SELECT COUNT(*) FROM subsidy_claim sc WHERE sc.batch_id = b.id) AS loaded,
           (SELECT COUNT(*) FROM quarantined_row q WHERE q.batch_id = b.id) AS quarantined,
           (SELECT COUNT(*) FROM merged_row m WHERE m.batch_id = b.id) AS merged
    FROM submission_batch b
    WHERE b.campaign_id = :campaign_id AND b.status = 'loaded'
) counted
WHERE rows_read <> loaded + quarantined + merged
