-- Every quarantined row's problem codes (comma-separated), with the kind of submission it came from.
SELECT b.kind, q.codes
FROM quarantined_row q
JOIN submission_batch b ON b.id = q.batch_id
WHERE b.campaign_id = :campaign_id
