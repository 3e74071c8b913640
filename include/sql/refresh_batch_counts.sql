-- After a load: what is left of each batch in its table (one row table per kind),
-- and what was merged into other rows.
UPDATE submission_batch SET
    rows_loaded = (SELECT COUNT(*) FROM survey_worker w WHERE w.batch_id = :batch_id)
                + (SELECT COUNT(*) FROM fleet_offer f WHERE f.batch_id = :batch_id)
                + (SELECT COUNT(*) FROM training_class t WHERE t.batch_id = :batch_id)
                + (SELECT COUNT(*) FROM job_opening o WHERE o.batch_id = :batch_id)
                + (SELECT COUNT(*) FROM fair_result r WHERE r.batch_id = :batch_id)
                + (SELECT COUNT(*) FROM service_progress p WHERE p.batch_id = :batch_id)
                + (SELECT COUNT(*) FROM highlight h WHERE h.batch_id = :batch_id)
                + (SELECT COUNT(*) FROM rail_offer ro WHERE ro.batch_id = :batch_id)
                + (SELECT COUNT(*) FROM trip_return tr WHERE tr.batch_id = :batch_id)
                + (SELECT COUNT(*) FROM subsidy_claim sc WHERE sc.batch_id = :batch_id),
    rows_merged = (SELECT COUNT(*) FROM merged_row m WHERE m.batch_id = :batch_id)
WHERE id = :batch_id
