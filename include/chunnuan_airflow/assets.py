"""Assets the campaign DAGs hand to each other."""

from airflow.sdk import Asset

# Emitted by survey_intake when new demand rows are loaded; charter planning is scheduled on it.
SURVEY_DEMAND = Asset(name="survey_demand", uri="chunnuan://campaign_db/survey_worker", group="chunnuan")
