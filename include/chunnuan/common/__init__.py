"""Small pieces every workflow uses: mail, masking personal data, the SQL files, ID and USCC check characters
(idcodes), the plan in force (plans), XLSX sheets (sheets), and what a step reports besides its result
(steps: nothing to do / cannot succeed)."""
