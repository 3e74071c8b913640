-- Each county's training compliance as the latest training check found it.
SELECT county_code, status
FROM training_compliance
WHERE campaign_id = :campaign_id
  AND run_id = (SELECT run_id FROM training_compliance WHERE campaign_id = :campaign_id
                ORDER BY checked_on DESC, run_id DESC LIMIT 1)
