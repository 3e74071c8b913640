-- Transport-subsidy claims per paying county, as the counties returned them (subsidy_claim: each county's
-- latest return): claims, verified, paid and the amount paid.
SELECT county_code,
       COUNT(*) AS claims,
       SUM(CASE WHEN verified = :yes THEN 1 ELSE 0 END) AS verified,
       SUM(CASE WHEN paid_on IS NOT NULL THEN 1 ELSE 0 END) AS paid,
       COALESCE(SUM(CASE WHEN paid_on IS NOT NULL THEN amount ELSE 0 END), 0) AS paid_amount
FROM subsidy_claim
WHERE campaign_id = :campaign_id
GROUP BY county_code
