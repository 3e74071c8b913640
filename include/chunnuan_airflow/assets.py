"""Assets the campaign DAGs hand to each other."""

from airflow.sdk import Asset

from chunnuan.intake import registry


def _asset(name: str, table: str) -> Asset:
    return Asset(name=name, uri=f"chunnuan://campaign_db/{table}", group="chunnuan")


# Emitted by survey_intake when a kind's rows are loaded, one per kind of the registry.
SUBMITTED = {k.name: _asset(k.asset, k.table) for k in registry.KINDS}
SURVEY_DEMAND = SUBMITTED["survey"]  # new demand: charter planning is scheduled on it
FLEET_SUPPLY = SUBMITTED["fleet"]  # carriers' fleet offers, for charter planning too
# Emitted by charter_bus_planning when a plan is published (trips, manifests, county notices).
CHARTER_PLAN = _asset("charter_plan", "charter_plan")
# Emitted by training_class_checks with the compliance figures (per status, places, demand) for the report.
TRAINING_COMPLIANCE = _asset("training_compliance", "training_compliance")
# Emitted by job_fair_rollout when a rollout is published (schedule, invitations, county emails).
JOB_FAIR_PLAN = _asset("job_fair_plan", "job_fair_plan")
