"""The compose cluster's shape on loopback, for tests: Airflow on CeleryExecutor as real processes.

PostgreSQL (Airflow's metadata DB; the campaign DB in a cluster of its own, so a test can restart it while
Airflow carries on), Redis (Debian's `redis-server`) as the Celery broker, and api-server, scheduler,
dag-processor, triggerer and one Celery worker, each a process group of its own with its log in the
cluster's folder. The Airflow settings are those of docker-compose.yaml's `x-airflow-common` environment
(read from the file, defaults filled in), with only the LOOPBACK keys replaced: addresses, the data folder,
the auth manager (FAB is not installed locally: Airflow's simple auth manager with a known user) and the
worker's concurrency. Faults cost seconds: a task whose worker died is failed after HEARTBEAT_TIMEOUT, and
retried after RETRY_DELAY.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml

from chunnuan.devtools.smtp_sink import free_port
from tests.support.postgres import Cluster as Postgres

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
COMPONENTS = {  # name -> the `airflow` command line, as the compose services run them
    "api-server": ["api-server"],
    "scheduler": ["scheduler"],
    "dag-processor": ["dag-processor"],
    "triggerer": ["triggerer"],
    "worker": ["celery", "worker"],
}
# The compose settings a loopback cluster must set differently (host names, folders, the auth manager).
LOOPBACK = (
    "AIRFLOW__CORE__AUTH_MANAGER", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC",
    "AIRFLOW__CELERY__RESULT_BACKEND", "AIRFLOW__CELERY__BROKER_URL", "AIRFLOW__CELERY__WORKER_CONCURRENCY",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL", "PYTHONPATH", "CHUNNUAN_HOME", "CHUNNUAN_CAMPAIGNS_DIR",
    "AIRFLOW_CONN_CAMPAIGN_DB", "CHUNNUAN_DB_URL", "AIRFLOW_CONN_CAMPAIGN_SMTP", "AIRFLOW_CONN_CAMPAIGN_ALERT_SMTP",
    "AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY",  # faults cost seconds
    "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION",  # only the runs a test triggers (trigger() unpauses)
    "AIRFLOW__API_AUTH__JWT_SECRET",  # a fresh secret per cluster
)
HEARTBEAT_TIMEOUT = 15  # s without a heartbeat before the scheduler fails a task (compose: Airflow's 300)
RETRY_DELAY = 3  # s before a failed task's retry (compose: 60)
USER, PASSWORD = "admin", "admin-pass"


def compose_environment() -> dict[str, str]:
    """docker-compose.yaml's x-airflow-common environment, each ${VAR:-default} replaced by its default."""
    compose = yaml.safe_load((REPO / "docker-compose.yaml").read_text())
    env = compose["x-airflow-common"]["environment"]
    default = re.compile(r"\$\{[A-Z_]+:-([^}]*)\}")
    return {k: default.sub(lambda m: m.group(1), str(v)) for k, v in env.items()}


def pages(get, path: str, key: str, size: int = 100) -> list[dict]:
    """Every item of a paged list endpoint (the API returns at most [api] maximum_page_limit = 100 a page)."""
    items: list[dict] = []
    while True:
        page = get(f"{path}?limit={size}&offset={len(items)}")
        items += page[key]
        if not page[key] or len(items) >= page["total_entries"]:
            return items


def redis_server() -> str:
    found = shutil.which("redis-server") or ("/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)
    if not found:
        raise RuntimeError("找不到 redis-server：请安装 Debian 软件包 redis-server（make test 会自动安装）")
    return found


def airflow_environment(*, home: Path, data: Path, meta_url: str, campaign_url: str, redis_port: int, api_url: str,
                        smtp_port: int, concurrency: int, repo: Path = REPO) -> dict[str, str]:
    """Every component's environment: compose's x-airflow-common with the LOOPBACK keys replaced, plus what a
    process outside a container needs (AIRFLOW_HOME, the checkout's folders, the API's address, PATH)."""
    smtp = json.dumps({"conn_type": "generic", "host": "127.0.0.1", "port": smtp_port,
                       "extra": {"from": "office@chunnuan.example.gov.cn"}})
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "PYTEST", "CHUNNUAN"))},
        **compose_environment(),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(repo / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(repo / "plugins"),
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": meta_url,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": meta_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + meta_url,
        "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(concurrency),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api_url}/execution/",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": api_url.rsplit(":", 1)[1],
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
        "AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY": str(RETRY_DELAY),
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(HEARTBEAT_TIMEOUT),
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "2",
        "PYTHONPATH": str(repo / "include"),  # this checkout's code, as compose mounts include/
        "CHUNNUAN_HOME": str(data),
        "CHUNNUAN_CAMPAIGNS_DIR": str(repo / "include" / "campaigns"),
        "AIRFLOW_CONN_CAMPAIGN_DB": json.dumps({"conn_type": "generic", "extra": {"sqlalchemy_url": campaign_url}}),
        "CHUNNUAN_DB_URL": campaign_url,
        "AIRFLOW_CONN_CAMPAIGN_SMTP": smtp,
        "AIRFLOW_CONN_CAMPAIGN_ALERT_SMTP": smtp,
        # The components start helpers as `airflow …` found on PATH.
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }


class CeleryCluster:
    def __init__(self, root: Path, smtp_port: int, concurrency: int = 2, repo: Path = REPO):
        """repo: the checkout whose dags/, plugins/ and include/ the components run (bench: another commit's)."""
        self.repo = repo
        self.root, self.home, self.data = root, root / "airflow", root / "var"
        self.logs = root / "logs"
        self.port, self.redis_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.meta, self.campaign = Postgres(), Postgres()
        self.processes: dict[str, subprocess.Popen] = {}
        self.smtp_port, self.concurrency = smtp_port, concurrency
        self._token: str | None = None
        self.extra_env: dict[str, str] = {}  # settings on top (bench/executors.py --setting)

    # --- lifecycle -------------------------------------------------------------------------------------

    def start(self, timeout: float = 240) -> CeleryCluster:
        for folder in (self.home, self.data, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        self.meta.start()
        self.campaign.start()
        self.campaign_url = self.campaign.create_database("chunnuan")
        self.env = airflow_environment(home=self.home, data=self.data, meta_url=self.meta.url("postgres"),
                                       campaign_url=self.campaign_url, redis_port=self.redis_port,
                                       api_url=self.url, smtp_port=self.smtp_port, concurrency=self.concurrency,
                                       repo=self.repo) | self.extra_env
        self._spawn("redis", [redis_server(), "--port", str(self.redis_port), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no"])
        self.airflow("db", "migrate")
        from chunnuan import db

        db.upgrade(self.campaign_url)
        (self.home / "simple_auth_manager_passwords.json.generated").write_text(json.dumps({USER: PASSWORD}))
        for name in COMPONENTS:
            self.start_component(name)
        self.wait_for(lambda: len(self.get("/api/v2/dags")["dags"]) >= 5, timeout, "the DAGs parsed")
        self.wait_for(self.worker_ready, timeout, "a Celery worker ready")
        return self

    def stop(self) -> None:
        """Every process group, then the databases; always (called from the fixture's finaliser)."""
        for name in reversed(list(self.processes)):
            self.stop_component(name)
        for pg in (self.meta, self.campaign):
            try:
                pg.stop()
            except Exception as exc:  # noqa: BLE001 - one cluster failing to stop must not keep the other
                print(f"PostgreSQL stop: {exc}", file=sys.stderr)

    def airflow(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run([str(BIN / "airflow"), *args], env=self.env, cwd=self.root, capture_output=True,
                              text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done.stdout

    def _spawn(self, name: str, cmd: list[str], **settings: str) -> None:
        with (self.logs / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(cmd, env=self.env | settings, cwd=self.root, stdout=log,
                                                    stderr=subprocess.STDOUT, start_new_session=True)

    def start_component(self, name: str, **settings: str) -> None:
        """Start a component in its own process group; `settings` on top of the cluster's (e.g. a worker's
        AIRFLOW__CELERY__POOL="solo")."""
        self._spawn(name, [str(BIN / "airflow"), *COMPONENTS[name]], **settings)

    def stop_component(self, name: str, sig: int = signal.SIGTERM) -> None:
        """Signal the component's whole process group (SIGKILL: as a machine that dies), then reap it."""
        process = self.processes.pop(name, None)
        if process is None:
            return
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if sig != signal.SIGKILL:  # children that outlived a clean stop
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def worker_ready(self) -> bool:
        return "ready." in (self.logs / "worker.log").read_text(errors="replace")

    def tail(self, lines: int = 40) -> str:
        """The end of every component's log: what a failed test prints."""
        parts = []
        for log in sorted(self.logs.glob("*.log")):
            text = log.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"==== {log.name}\n" + "\n".join(text))
        return "\n".join(parts)

    # --- the REST API, as a coordinator's UI uses it ------------------------------------------------------

    def token(self) -> str:
        if self._token is None:
            body = json.dumps({"username": USER, "password": PASSWORD}).encode()
            request = urllib.request.Request(f"{self.url}/auth/token", body, {"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=10) as response:
                self._token = json.load(response)["access_token"]
        return self._token

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data, method=method, headers={
            "Authorization": f"Bearer {self.token()}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def get(self, path: str) -> dict:
        return self.call("GET", path)

    def wait_for(self, done, timeout: float, what: str, every: float = 1):
        deadline = time.monotonic() + timeout
        while True:
            try:
                answer = done()
                if answer:
                    return answer
            except (OSError, KeyError, ValueError):  # not up yet, or busy: ask again
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"not {what} after {timeout:.0f} s\n{self.tail()}")
            time.sleep(every)

    def trigger(self, dag_id: str, conf: dict, logical_date: str | None = None) -> str:
        """A manual run with the form's values (`conf`); its run id."""
        self.call("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})
        run = self.call("POST", f"/api/v2/dags/{dag_id}/dagRuns", {"logical_date": logical_date, "conf": conf})
        return run["dag_run_id"]

    def run_state(self, dag_id: str, run_id: str) -> str:
        return self.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")["state"]

    def wait_run(self, dag_id: str, run_id: str, timeout: float = 300) -> str:
        """Wait until the run ends; its final state (success / failed)."""
        return self.wait_for(lambda: (s := self.run_state(dag_id, run_id)) in ("success", "failed") and s,
                             timeout, f"{dag_id} {run_id} finished")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        return pages(self.get, f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances", "task_instances")
