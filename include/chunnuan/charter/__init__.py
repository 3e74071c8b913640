""""点对点" charter transport: the DAG's steps around the planner, manifests."""
