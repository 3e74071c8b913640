"""Start the intake for files clerks submitted, through Airflow's REST API, as the account the connection
`chunnuan_intake_api` names (host = the api-server's base URL, login, password; a coordinator's or a service
account allowed to trigger `survey_intake`). Clerk accounts themselves cannot trigger DAG runs.

Why a triggered run and not only the schedule: the hourly run looks for new files only inside the survey
window, and a clerk should see the outcome within minutes. Without the connection (or when the API does not
answer) the file stays in the landing folder and the next scheduled or manual run takes it.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)
CONN_ID = "chunnuan_intake_api"
DAG_ID = "survey_intake"


def trigger_intake(campaign_id: str, files: list[str]) -> str | None:
    """The id of the survey_intake run started for `files` (paths under the campaign's landing root, e.g.
    "survey/贵港市平南县-00003-平南县.xlsx"), or None when it could not be started (the log says why)."""
    import httpx
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = Connection.get(CONN_ID)
    except AirflowNotFoundException:
        log.warning("未配置连接 %s：提交的文件等下一次定时或手动运行入库", CONN_ID)
        return None
    base = (conn.host or "").rstrip("/")
    try:
        with httpx.Client(base_url=base, timeout=20) as client:
            login = client.post("/auth/token", json={"username": conn.login, "password": conn.password})
            login.raise_for_status()
            run = client.post(f"/api/v2/dags/{DAG_ID}/dagRuns",
                              headers={"Authorization": f"Bearer {login.json()['access_token']}"},
                              json={"logical_date": None, "conf": {"campaign": campaign_id, "files": files}})
            run.raise_for_status()
            return run.json()["dag_run_id"]
    except (httpx.HTTPError, KeyError, ValueError):
        log.exception("通过 Airflow API 触发 %s 失败：提交的文件等下一次定时或手动运行入库", DAG_ID)
        return None
