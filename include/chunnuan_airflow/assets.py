"""Assets the campaign DAGs hand to each other."""

from airflow.sdk import Asset

# Emitted by survey_intake when new demand rows are loaded; charter planning is scheduled on it.
SURVEY_DEMAND = Asset(name="survey_demand", uri="chunnuan://campaign_db/survey_worker", group="chunnuan")
# Emitted by survey_intake when carriers' fleet submissions are loaded.
FLEET_SUPPLY = Asset(name="fleet_supply", uri="chunnuan://campaign_db/fleet_offer", group="chunnuan")
# Emitted by charter_bus_planning when a plan is published (trips, manifests, county notices).
CHARTER_PLAN = Asset(name="charter_plan", uri="chunnuan://campaign_db/charter_plan", group="chunnuan")
# Emitted by survey_intake when counties' training-class submissions are loaded.
TRAINING_CLASSES = Asset(name="training_classes", uri="chunnuan://campaign_db/training_class", group="chunnuan")
# Emitted by training_class_checks with the compliance figures (per status, places, demand) for the report.
TRAINING_COMPLIANCE = Asset(name="training_compliance", uri="chunnuan://campaign_db/training_compliance",
                            group="chunnuan")
