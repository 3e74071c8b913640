"""Job-fair rollout: the fair schedule, matching seekers to openings, the DAG's steps."""
