-- After a load: what is left of each batch in its table (survey_worker, fleet_offer or training_class),
-- and what was merged into other rows.
UPDATE submission_batch SET
    rows_loaded = (SELECT COUNT(*) FROM survey_worker w WHERE w.batch_id = :batch_id)
                + (SELECT COUNT(*) FROM fleet_offer f WHERE f.batch_id = :batch_id)
                + (SELECT COUNT(*) FROM training_class t WHERE t.batch_id = :batch_id),
    rows_merged = (SELECT COUNT(*) FROM merged_row m WHERE m.batch_id = :batch_id)
WHERE id = :batch_id
