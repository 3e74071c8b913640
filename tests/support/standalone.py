"""`airflow standalone` on a temporary home, for tests that use the Airflow UI as a person would.

One process group (scheduler, dag-processor, triggerer, api-server on loopback, LocalExecutor workers) with
the project's DAGs and plugins, Airflow's default simple auth manager and known users, the campaign DB and
SMTP connections the DAGs use. The REST helpers take the JWT the login page puts in the browser's `_token`
cookie, so the test reads state with the same identity it clicks with.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from chunnuan.devtools.smtp_sink import free_port

REPO = Path(__file__).resolve().parents[2]


class Standalone:
    def __init__(self, home: Path, users: dict[str, tuple[str, str]], env: dict[str, str]):
        """users: name -> (simple auth manager role, password); env: extra settings (connections …)."""
        self.home, self.users, self.port = home, users, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = home / "standalone.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "PYTEST"))},
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Shanghai",
            "AIRFLOW__CORE__PARALLELISM": "2",  # two cores: more task processes only queue for the CPU
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": ",".join(f"{u}:{r}" for u, (r, _) in users.items()),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
            "GX_ANALYTICS_ENABLED": "False",
            "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "1",  # as `make airflow`: see docker-compose.yaml
            # `airflow standalone` starts its components as `airflow …` commands found on PATH.
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            **env,
        }
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 240) -> Standalone:
        self.home.mkdir(parents=True, exist_ok=True)
        # The simple auth manager keeps the passwords it knows and generates the others.
        (self.home / "simple_auth_manager_passwords.json.generated").write_text(
            json.dumps({u: p for u, (_, p) in self.users.items()}))
        self.process = subprocess.Popen([str(Path(sys.executable).parent / "airflow"), "standalone"],
                                        cwd=self.home, env=self.env, stdout=self.log.open("wb"),
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"airflow standalone exited ({self.process.returncode}); see {self.log}")
            try:
                user = next(iter(self.users))
                if len(self.get(self.token(user), "/api/v2/dags")["dags"]) >= 5:  # parsed and serialised
                    return self
            except (OSError, KeyError):
                pass
            time.sleep(2)
        self.stop()
        raise TimeoutError(f"airflow standalone not ready in {timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def token(self, user: str) -> str:
        body = json.dumps({"username": user, "password": self.users[user][1]}).encode()
        request = urllib.request.Request(f"{self.url}/auth/token", body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)["access_token"]

    def get(self, token: str, path: str) -> dict:
        request = urllib.request.Request(self.url + path, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def patch(self, token: str, path: str, body: dict) -> dict:
        request = urllib.request.Request(self.url + path, json.dumps(body).encode(), method="PATCH",
                                         headers={"Authorization": f"Bearer {token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def status(self, token: str, path: str) -> tuple[int, str]:
        """HTTP status and body of a GET, errors included (what a refused caller sees)."""
        request = urllib.request.Request(self.url + path, headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def wait_for(self, token: str, path: str, done, timeout: float = 300, every: float = 2) -> dict:
        """GET path until done(answer) is true; the last answer."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                answer = self.get(token, path)
                if done(answer):
                    return answer
            except OSError:  # refused, HTTP error or a slow answer: the server is busy, ask again
                answer = None
            if time.monotonic() > deadline:
                raise TimeoutError(f"{path}: not done after {timeout:.0f} s (last answer {answer}); see {self.log}")
            time.sleep(every)
