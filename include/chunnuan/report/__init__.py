"""Progress and final reports, their charts and the dashboard's figures."""
