"""Training-class checks (送工前技能培训班): the rules and the DAG's steps."""
