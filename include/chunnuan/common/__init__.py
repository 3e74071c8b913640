"""Small pieces every workflow uses: mail, masking personal data, the SQL files, ID and USCC check characters."""
