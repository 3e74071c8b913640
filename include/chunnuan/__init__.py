"""chunnuan (春暖): the domain package of the 春暖农民工服务行动 campaign system.

No Airflow imports at module level anywhere in this package: it runs from the `chunnuan` CLI and
from plain unit tests as well as from the DAGs.
"""
