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
# Emitted by survey_intake when enterprises' openings (岗位信息归集表) are loaded; job_fair_rollout uses them.
JOB_OPENINGS = Asset(name="job_openings", uri="chunnuan://campaign_db/job_opening", group="chunnuan")
# Emitted by survey_intake when counties' job-fair results are loaded; job_fair_rollout updates the figures.
FAIR_RESULTS = Asset(name="fair_results", uri="chunnuan://campaign_db/fair_result", group="chunnuan")
# Emitted by survey_intake when departments' service-item progress is loaded (for the report).
SERVICE_PROGRESS = Asset(name="service_progress", uri="chunnuan://campaign_db/service_progress", group="chunnuan")
# Emitted by job_fair_rollout when a rollout is published (schedule, invitations, county emails).
JOB_FAIR_PLAN = Asset(name="job_fair_plan", uri="chunnuan://campaign_db/job_fair_plan", group="chunnuan")
