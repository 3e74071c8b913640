"""Airflow glue shared by the DAG files: assets, the campaign connection, common form fields.

Kept apart from `chunnuan` (the domain package, which never imports Airflow at module level).
"""
