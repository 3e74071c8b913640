"""docker-compose.yaml, Dockerfile, .env.example and .dockerignore checked against the repository.

Docker does not run here, so this is what keeps the cluster files honest: the services of the official
Airflow 3.3 compose shape exist, every host folder they mount is in the checkout, the image is the Airflow
version requirements.txt pins, every connection the DAGs use is configured (and reads back through the
project's own connection code), and .env.example documents every variable the compose file reads.

Decision on mounts: a bind-mounted host path must exist in the checkout, except var/ — the git-ignored
data folder (landing / staging / outputs, CHUNNUAN_HOME) that `make demo` and the first
`docker compose up` create at run time. A mount may only be exempt if .gitignore really ignores it.

Variables are resolved the way `docker compose` does without a .env file: ${VAR:-default} becomes the
default, `$$` a literal `$`.

Roles: airflow-init's `airflow roles create` / `airflow roles add-perms` lines are parsed and must grant 领导
exactly the built-in Viewer's permissions and 协调员 Viewer's plus the coordinator's own, with FAB resource and
action names from a list verified against the provider the image installs.
"""

from __future__ import annotations

import itertools
import json
import re
import shlex
from fnmatch import fnmatch
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yaml"
DOCKERFILE = REPO / "Dockerfile"
ENV_EXAMPLE = REPO / ".env.example"
DOCKERIGNORE = REPO / ".dockerignore"

# service -> the Airflow command it runs (None: not an Airflow component)
REQUIRED_SERVICES = {
    "postgres": None,
    "redis": None,
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-worker": "celery worker",
    "airflow-triggerer": "triggerer",
    "airflow-init": None,
}
SMTP_SINK = "mailpit"  # the SMTP sink with a web inbox
AIRFLOW_HOME = "/opt/airflow"
RUNTIME_DIRS = {"var"}  # created at run time, git-ignored: allowed not to exist in a checkout
# Where the DAGs' connection ids are defined or used.
CONNECTION_SOURCES = ("dags", "include/chunnuan_airflow", "plugins")
CONN_ID_PATTERNS = (
    re.compile(r"""\b[A-Z_]*CONN_ID\s*(?::\s*\w+\s*)?=\s*["']([^"']+)["']"""),  # CONN_ID = "campaign_db"
    re.compile(r"""\b\w*conn_id\s*=\s*["']([^"']+)["']"""),  # Operator(conn_id="...")
    re.compile(r"""(?:Connection\.get|get_connection)\(\s*["']([^"']+)["']"""),  # Connection.get("...")
)

# FAB (auth manager) names, verified against apache-airflow-providers-fab 3.10.2 with apache-airflow 3.3.2 on
# 2026-11-23: a scratch venv, `airflow db migrate` on SQLite, then airflow-init's very role commands, run twice
# (the second run added 0 permissions), and `airflow roles list -p`. These are all the resources and actions such
# a database holds; `airflow roles add-perms` exits 1 on any other name. Re-verify when the provider is upgraded.
FAB_ACTIONS = {"can_create", "can_read", "can_edit", "can_delete", "menu_access"}
FAB_RESOURCES = {
    "Actions", "Admin", "All Audit Logs", "All Import Errors", "All Reparses", "Asset Aliases", "Assets",
    "Audit Logs", "Backfills", "Browse", "Cluster Activity", "Configurations", "Connections", "DAG Code",
    "DAG Dependencies", "DAG Runs", "DAG Versions", "DAG Warnings", "DAGs", "Docs", "Documentation",
    "HITL Detail", "ImportError", "Jobs", "List Roles", "List Users", "My Password", "My Profile", "Passwords",
    "Permission Pairs", "Permission Views", "Permissions", "Plugins", "Pools", "Providers", "Resources", "Roles",
    "SLA Misses", "Security", "Task Instances", "Task Logs", "Task Reschedules", "Triggers", "User Stats Chart",
    "User's Statistics", "Users", "Variables", "View Menus", "Website", "XComs",
}
# The built-in Viewer role of providers-fab 3.10.2 (VIEWER_PERMISSIONS in
# airflow/providers/fab/auth_manager/security_manager/override.py), as (action, resource); same verification:
# `airflow roles list -p` showed Viewer and 领导 with exactly these 34 permissions.
VIEWER_PERMISSIONS = {
    *(("can_read", resource) for resource in (
        "DAGs", "DAG Dependencies", "DAG Code", "DAG Runs", "DAG Versions", "DAG Warnings", "Assets",
        "Asset Aliases", "Backfills", "Cluster Activity", "Pools", "ImportError", "Jobs", "My Password",
        "My Profile", "SLA Misses", "Task Instances", "Task Logs", "XComs", "HITL Detail", "Website")),
    ("can_edit", "My Password"), ("can_edit", "My Profile"),
    *(("menu_access", resource) for resource in (
        "Browse", "DAGs", "DAG Dependencies", "DAG Runs", "Assets", "Cluster Activity", "Documentation", "Docs",
        "Jobs", "SLA Misses", "Task Instances")),
}
COORDINATOR_EXTRA = {
    ("can_create", "DAG Runs"),  # trigger a DAG run (with its form)
    ("can_edit", "DAGs"),  # pause / unpause; FAB also requires it for any write below a DAG
    ("can_edit", "DAG Runs"),  # clear or mark a whole run (re-run a failed intake or report)
    ("can_edit", "Task Instances"),  # clear, mark success / failed
    ("can_edit", "HITL Detail"),  # answer Human-in-the-loop approvals
    ("menu_access", "HITL Detail"),  # the menu 待响应的任务实例 / Required Actions
    # the Variable chunnuan_clerks (which county each 填报员 account belongs to), under 管理 / Admin
    *((action, "Variables") for action in ("can_read", "can_edit", "can_create", "can_delete")),
    ("menu_access", "Admin"), ("menu_access", "Variables"),
}
# A county clerk: the website and the plugins list (the 提交报表 nav entry), its own password and profile.
CLERK_PERMISSIONS = {("can_read", "Website"), ("can_read", "Plugins"), ("can_read", "My Password"),
                     ("can_read", "My Profile"), ("can_edit", "My Password"), ("can_edit", "My Profile")}
ROLES = {"领导": VIEWER_PERMISSIONS, "协调员": VIEWER_PERMISSIONS | COORDINATOR_EXTRA, "填报员": CLERK_PERMISSIONS}
# role -> the .env variables of its optional demo user
DEMO_USERS = {"领导": ("CHUNNUAN_LEADER_USER", "CHUNNUAN_LEADER_PASSWORD"),
              "协调员": ("CHUNNUAN_COORDINATOR_USER", "CHUNNUAN_COORDINATOR_PASSWORD")}

_TOKEN = re.compile(
    r"\$\$|\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?(?P<arg>[^}]*)\}|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)


# ----------------------------------------------------------------------------------------------- helpers
def variables(text: str) -> set[str]:
    """Names compose interpolates in `text` (`$$` is an escaped dollar, not a variable)."""
    return {m["braced"] or m["bare"] for m in _TOKEN.finditer(text) if m[0] != "$$"}


def defaults(text: str) -> list[tuple[str, str]]:
    """(variable, default) for each ${VAR:-default} / ${VAR-default} in `text`."""
    return [(m["braced"], m["arg"]) for m in _TOKEN.finditer(text) if m["braced"] and m["op"] in (":-", "-")]


def resolve(text: str) -> str:
    """`text` as compose sees it with an empty environment: defaults applied, `$$` -> `$`."""

    def one(m: re.Match) -> str:
        if m[0] == "$$":
            return "$"
        if m["braced"] and m["op"] in (":-", "-"):
            return m["arg"]
        return ""

    return _TOKEN.sub(one, text)


def strings(node):
    """Every string value in a parsed YAML tree (comments are not part of it)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def resolved_env(service: dict) -> dict[str, str]:
    return {key: resolve(value) for key, value in environment(service).items()}


def command(service: dict) -> str:
    cmd = service.get("command", "")
    return " ".join(cmd) if isinstance(cmd, list) else str(cmd)


def requirement_pin(name: str) -> str:
    pins = [line.split("==", 1)[1].strip() for line in (REPO / "requirements.txt").read_text().splitlines()
            if line.split("==", 1)[0].strip().lower() == name]
    assert len(pins) == 1, f"requirements.txt should pin {name} exactly once, found {pins}"
    return pins[0]


def bind_mounts(service: dict) -> list[tuple[str, str]]:
    """(host path, container path) of the bind mounts; named volumes are left out."""
    mounts = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            if volume.get("type") == "bind":
                mounts.append((resolve(volume["source"]), volume["target"]))
            continue
        source, target = resolve(volume).split(":")[:2]
        if source.startswith((".", "/", "~")):
            mounts.append((source, target))
    return mounts


def named_volumes(service: dict) -> set[str]:
    names = set()
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            if volume.get("type", "volume") == "volume" and volume.get("source"):
                names.add(volume["source"])
            continue
        parts = resolve(volume).split(":")
        if len(parts) > 1 and not parts[0].startswith((".", "/", "~")):
            names.add(parts[0])
    return names


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())  # join continuation lines
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Simplified .dockerignore rule: the last pattern matching the path or one of its parents wins."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        if any(fnmatch(candidate, pattern) for candidate in candidates):
            excluded = not negate
    return excluded


def gitignored(name: str) -> bool:
    lines = [line.strip().rstrip("/").lstrip("/") for line in (REPO / ".gitignore").read_text().splitlines()]
    return name in lines


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict]:
    return compose["services"]


@pytest.fixture(scope="module")
def common(compose) -> dict:
    return compose["x-airflow-common"]


@pytest.fixture(scope="module")
def airflow_services(services, common) -> dict[str, dict]:
    """The services built on the x-airflow-common anchor (same image)."""
    return {name: svc for name, svc in services.items() if svc.get("image") == common["image"]}


@pytest.fixture(scope="module")
def common_env(common) -> dict[str, str]:
    return resolved_env(common)


# ----------------------------------------------------------------------------------------------- tests
def test_services_of_the_official_airflow_shape(services, airflow_services):
    missing = set(REQUIRED_SERVICES) - set(services)
    assert not missing, f"docker-compose.yaml lacks services {sorted(missing)}"
    for name, airflow_command in REQUIRED_SERVICES.items():
        if airflow_command is None:
            continue
        assert name in airflow_services, f"{name} does not use the x-airflow-common image"
        assert command(services[name]) == airflow_command, f"{name} should run `{airflow_command}`"
        depends = services[name].get("depends_on") or {}
        assert depends.get("airflow-init", {}).get("condition") == "service_completed_successfully", \
            f"{name} must wait for airflow-init (database migrations)"
        for backing in ("postgres", "redis"):
            assert depends.get(backing, {}).get("condition") == "service_healthy", f"{name} -> {backing}"
    assert "airflow-init" in airflow_services, "airflow-init must run the project image"


def test_celery_executor_with_redis_broker_and_postgres_metadata(services, common_env):
    assert common_env.get("AIRFLOW__CORE__EXECUTOR") == "CeleryExecutor"
    broker = urlsplit(common_env.get("AIRFLOW__CELERY__BROKER_URL", ""))
    assert broker.scheme == "redis" and broker.hostname == "redis" and "redis" in services
    for key in ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CELERY__RESULT_BACKEND"):
        url = urlsplit(common_env.get(key, ""))
        assert re.fullmatch(r"(db\+)?postgres(ql)?(\+\w+)?", url.scheme), f"{key} is not a PostgreSQL URL"
        assert url.hostname == "postgres", f"{key} should point at the postgres service"
    execution_api = urlsplit(common_env.get("AIRFLOW__CORE__EXECUTION_API_SERVER_URL", ""))
    assert execution_api.hostname == "airflow-apiserver" and execution_api.path.startswith("/execution")


def test_async_metadata_url_and_the_shared_jwt_secret(common_env):
    """Airflow derives an asyncpg URL unless told (asyncpg is not installed); components sign task tokens
    with one secret."""
    sync = urlsplit(common_env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", ""))
    async_ = urlsplit(common_env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC", ""))
    assert async_.scheme == "postgresql+psycopg"
    assert (async_.hostname, async_.username, async_.password, async_.path) == (
        sync.hostname, sync.username, sync.password, sync.path), "the async URL must name the same database"
    assert common_env.get("AIRFLOW__API_AUTH__JWT_SECRET")


def test_celery_and_its_provider_pinned_together_once():
    """provider 3.26.0 with celery 5.6.3 (5.7.0 breaks it): pinned in requirements.txt, which the venv, the
    cluster tests and the image all install; the Dockerfile names neither again."""
    from importlib.metadata import version

    for name in ("apache-airflow-providers-celery", "celery", "kombu", "redis"):
        assert version(name) == requirement_pin(name), f"the venv's {name} is not the pinned one"
    assert not re.search(r"providers-celery|\bcelery==", DOCKERFILE.read_text())


def test_the_cluster_tests_run_the_compose_settings(common_env):
    """tests/cluster starts the components with x-airflow-common's environment, changing only the keys it
    must on loopback (tests.support.celery_cluster.LOOPBACK), each of which compose sets."""
    from tests.support.celery_cluster import LOOPBACK, airflow_environment, compose_environment

    assert compose_environment() == common_env
    env = airflow_environment(home=Path("/h"), data=Path("/d"), meta_url="postgresql+psycopg://p@127.0.0.1:1/m",
                              campaign_url="postgresql+psycopg://p@127.0.0.1:2/c", redis_port=3,
                              api_url="http://127.0.0.1:4", smtp_port=5, concurrency=2)
    assert set(LOOPBACK) <= set(common_env), f"not in compose: {sorted(set(LOOPBACK) - set(common_env))}"
    changed = {key for key, value in common_env.items() if env[key] != value}
    assert changed <= set(LOOPBACK), f"changed without a reason: {sorted(changed - set(LOOPBACK))}"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"].startswith("postgresql+psycopg://")


def test_every_mounted_host_path_exists_in_the_repo(compose, services):
    problems = []
    for name, service in services.items():
        for source, target in bind_mounts(service):
            path = (REPO / source).resolve()
            if not path.is_relative_to(REPO) or path == REPO:
                problems.append(f"{name}: {source} -> {target} is not a folder of the checkout")
            elif not path.exists():
                top = path.relative_to(REPO).parts[0]
                if not (top in RUNTIME_DIRS and gitignored(top)):
                    problems.append(f"{name}: {source} -> {target} does not exist in the checkout")
        undeclared = named_volumes(service) - set(compose.get("volumes") or {})
        problems += [f"{name}: named volume {v!r} is not declared under volumes:" for v in sorted(undeclared)]
    assert not problems, "\n".join(problems)


def test_project_folders_mounted_and_include_importable(airflow_services, common_env):
    expected = {"dags": f"{AIRFLOW_HOME}/dags", "plugins": f"{AIRFLOW_HOME}/plugins",
                "include": f"{AIRFLOW_HOME}/include", "var": f"{AIRFLOW_HOME}/var"}
    for name, service in airflow_services.items():
        mounts = {Path(source).as_posix(): target for source, target in bind_mounts(service)}
        for folder, target in expected.items():
            assert mounts.get(folder) == target, f"{name} should mount ./{folder} at {target}"
    assert f"{AIRFLOW_HOME}/include" in common_env.get("PYTHONPATH", "").split(":")
    assert common_env.get("CHUNNUAN_HOME") == expected["var"]
    assert common_env.get("CHUNNUAN_CAMPAIGNS_DIR") == f"{AIRFLOW_HOME}/include/campaigns"
    assert common_env.get("AIRFLOW__CORE__DAGS_FOLDER", expected["dags"]) == expected["dags"]
    campaign = common_env.get("CHUNNUAN_CAMPAIGN", "")
    assert (REPO / "include" / "campaigns" / f"{campaign}.yaml").is_file(), f"no campaign file for {campaign!r}"


def test_dockerfile_is_the_official_image_of_the_pinned_airflow_on_python_311(common):
    froms = [rest for keyword, rest in dockerfile_instructions() if keyword == "FROM"]
    assert len(froms) == 1, f"expected one FROM, found {froms}"
    image = re.sub(r"--platform=\S+\s+", "", froms[0]).split()[0]
    m = re.fullmatch(r"apache/airflow:(?P<airflow>\d+\.\d+\.\d+)-python(?P<python>\d+\.\d+)", image)
    assert m, f"FROM {image}: expected apache/airflow:<version>-python<version>"
    pinned = requirement_pin("apache-airflow")
    assert m["airflow"] == pinned, f"Dockerfile FROM has Airflow {m['airflow']}, requirements.txt pins {pinned}"
    assert m["python"] == "3.11"
    # the image compose builds is tagged with the same versions, and compose does build it
    assert resolve(common["image"]).endswith(f":{pinned}-python3.11"), common["image"]
    assert common.get("build") in (".", {"context": "."}), "x-airflow-common should build the Dockerfile"


def test_dockerfile_installs_requirements_project_and_cjk_font():
    steps = dockerfile_instructions()
    runs = " ".join(rest for keyword, rest in steps if keyword == "RUN")
    copies = [rest for keyword, rest in steps if keyword == "COPY"]
    assert any(c.split()[-2] == "requirements.txt" for c in copies)
    assert re.search(r'pip install [^&|;]*"apache-airflow==\$\{AIRFLOW_VERSION\}"[^&|;]* -r \S*requirements\.txt',
                     runs), "install requirements.txt together with the image's own apache-airflow version"
    assert re.search(r"pip install [^&|;]*--no-deps[^&|;]* (-e )?/opt/airflow\b", runs), "install the project"
    assert "fonts-noto-cjk" in runs
    users = [rest for keyword, rest in steps if keyword == "USER"]
    assert users and users[-1] == "airflow", "the image must end as the airflow user"


def connection_ids() -> set[str]:
    found = set()
    for folder in CONNECTION_SOURCES:
        for path in (REPO / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for pattern in CONN_ID_PATTERNS:
                found.update(pattern.findall(text))
    return found


def test_every_connection_the_dags_use_is_set_in_every_airflow_container(airflow_services):
    ids = connection_ids()
    assert {"campaign_db", "campaign_smtp"} <= ids, f"the scan should find the known connections, got {ids}"
    for conn_id in sorted(ids):
        var = f"AIRFLOW_CONN_{conn_id.upper()}"
        for name, service in airflow_services.items():
            value = resolved_env(service).get(var)
            assert value, f"{name} does not set {var}"
            conn = json.loads(value)  # the JSON form; must still parse with every default applied
            assert conn.get("conn_type"), f"{var} has no conn_type"


def test_campaign_db_is_a_separate_postgres_database_as_campaign_db_reads_it(monkeypatch, services, common_env):
    from sqlalchemy.engine import make_url

    from chunnuan_airflow import campaign_db

    raw = common_env["AIRFLOW_CONN_CAMPAIGN_DB"]
    conn = json.loads(raw)
    assert conn["conn_type"] == "generic" and "sqlalchemy_url" in conn["extra"]
    monkeypatch.setenv("AIRFLOW_CONN_CAMPAIGN_DB", raw)
    url = make_url(campaign_db.url())

    metadata = make_url(common_env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    assert url.drivername == "postgresql+psycopg"
    assert url.host == "postgres" and url.host in services
    assert url.database != metadata.database, "the campaign data must not live in Airflow's metadata DB"
    assert url.username != metadata.username, "the DAGs should not reach the campaign DB as the superuser"
    assert make_url(common_env["CHUNNUAN_DB_URL"]) == url, "CHUNNUAN_DB_URL (the CLI) differs from campaign_db"

    init = services["airflow-init"]
    init_env = resolved_env(init)
    script = command(init)
    assert init_env.get("_AIRFLOW_DB_MIGRATE") == "true", "airflow-init must migrate the Airflow DB"
    assert init_env.get("_AIRFLOW_WWW_USER_CREATE") == "true", "airflow-init must create the admin user"
    assert (init_env.get("CAMPAIGN_DB_NAME"), init_env.get("CAMPAIGN_DB_USER")) == (url.database, url.username)
    assert "CREATE DATABASE" in script and "CREATE ROLE" in script
    assert re.search(r'chunnuan db upgrade --url "?\$\$\{?CHUNNUAN_DB_URL\b', script), \
        "airflow-init must migrate the campaign DB with `chunnuan db upgrade --url`"


def shell_lines(script: str) -> list[tuple[str, list[str]]]:
    """(line, words) of the script's lines, continuation lines joined, split the way the shell does."""
    out = []
    for line in re.sub(r"\\\n", " ", script).splitlines():
        try:
            words = shlex.split(line, comments=True)
        except ValueError:  # e.g. a line of the Python heredoc
            continue
        if words:
            out.append((line, words))
    return out


def add_perms(words: list[str]) -> set[tuple[str, str, str]]:
    """(role, action, resource) granted by `airflow roles add-perms ROLE… -a ACTION… -r RESOURCE…`."""
    args: dict[str, list[str]] = {"role": [], "action": [], "resource": []}
    current = "role"
    for word in words[3:]:
        if word in ("-a", "--action", "-r", "--resource"):
            current = "action" if word in ("-a", "--action") else "resource"
        else:
            assert not word.startswith("-"), f"unexpected option {word} in {' '.join(words)}"
            args[current].append(word)
    assert all(args.values()), f"add-perms needs roles, actions and resources: {' '.join(words)}"
    return set(itertools.product(args["role"], args["action"], args["resource"]))


def option(words: list[str], *names: str) -> str:
    values = [words[i + 1] for i, word in enumerate(words[:-1]) if word in names]
    assert len(values) == 1, f"expected one {names[0]} in {' '.join(words)}"
    return values[0]


def test_airflow_init_creates_a_landing_folder_for_every_kind_of_the_registry(services):
    from chunnuan.intake.registry import KINDS

    script = resolve(services["airflow-init"]["command"][-1])
    folders = re.search(r'/landing/\$\{CHUNNUAN_CAMPAIGN\}"/\{([^}]*)\}', script)
    assert folders, "airflow-init should create landing/<行动>/{…} for the intake kinds"
    assert folders[1].split(",") == [k.name for k in KINDS], "one landing folder per registry kind, in its order"


def test_airflow_init_creates_the_roles_idempotently_and_loudly(services):
    init = services["airflow-init"]
    script = resolve(init["command"][-1])  # [-c, the script]
    lines = shell_lines(script)
    airflow = [(i, line, words) for i, (line, words) in enumerate(lines) if words[0] == "airflow"]
    creates = [(i, words) for i, _, words in airflow if words[1:3] == ["roles", "create"]]
    perms = [(i, words) for i, _, words in airflow if words[1:3] == ["roles", "add-perms"]]
    users = [(i, words) for i, _, words in airflow if words[1:3] == ["users", "create"]]

    assert len(creates) == 1 and set(creates[0][1][3:]) == set(ROLES), \
        f"airflow-init should run `airflow roles create {' '.join(ROLES)}` once, found {creates}"
    assert perms and min(i for i, _ in perms) > creates[0][0], "create the roles before adding permissions"
    granted = set().union(*(add_perms(words) for _, words in perms))
    for role, expected in ROLES.items():
        got = {(action, resource) for r, action, resource in granted if r == role}
        assert got == expected, f"{role}: missing {sorted(expected - got)}, unexpected {sorted(got - expected)}"
    assert {r for r, _, _ in granted} == set(ROLES), "only the project's roles get permissions; Admin stays built in"
    assert {a for _, a, _ in granted} <= FAB_ACTIONS, "an action name not verified against providers-fab"
    assert {res for _, _, res in granted} <= FAB_RESOURCES, "a resource name not verified against providers-fab"

    # after the entrypoint's DB migration, and a failing command fails airflow-init (nothing masks it)
    migrate = next(i for i, (_, words) in enumerate(lines) if words[:2] == ["/entrypoint", "airflow"])
    assert migrate < creates[0][0], "the role commands must run after the entrypoint migrated the DB"
    first = lines[0][1]
    assert first[0] == "set" and re.fullmatch(r"-\w*e\w*", first[1]), "airflow-init must start with `set -e…`"
    for _, line, _words in airflow:
        assert not re.search(r"\|\||;|&|\|", line), f"`{line.strip()}` must fail airflow-init when it fails"
    # the admin user (管理员) keeps the built-in Admin role
    assert resolved_env(init).get("_AIRFLOW_WWW_USER_ROLE", "Admin") == "Admin"
    assert not set(ROLES) & {"Admin", "Viewer", "User", "Op", "Public"}

    # optional demo users: only when the user name is set, then with a required password
    init_env = environment(init)
    assert {role for _, words in users for role in [option(words, "-r", "--role")]} == set(DEMO_USERS)
    for _, words in users:
        role = option(words, "-r", "--role")
        user_var, password_var = DEMO_USERS[role]
        assert option(words, "-u", "--username") == f"${{{user_var}}}"
        assert re.fullmatch(rf"\$\{{{password_var}:\?[^}}]+\}}", option(words, "-p", "--password")), \
            f"{role}: the password must be required (${{{password_var}:?…}}) once the user name is set"
        assert re.search(rf'if \[\[ -n "\$\{{{user_var}\}}" \]\]; then\s+airflow users create --role {role}\b',
                         script), f"create the {role} demo user only when {user_var} is set"
        for var in (user_var, password_var):
            assert init_env.get(var) == f"${{{var}:-}}", f"airflow-init should pass {var} from .env (default empty)"


def test_campaign_smtp_points_at_the_sink_with_a_web_inbox(monkeypatch, services, common_env):
    from chunnuan_airflow import campaign_smtp

    monkeypatch.setenv("AIRFLOW_CONN_CAMPAIGN_SMTP", common_env["AIRFLOW_CONN_CAMPAIGN_SMTP"])
    smtp = campaign_smtp.settings()

    sink = services.get(SMTP_SINK)
    assert sink, f"no {SMTP_SINK} service"
    assert resolve(sink["image"]).startswith("axllent/mailpit:")
    assert smtp.host == SMTP_SINK and smtp.port == 1025
    assert 1025 in [int(p) for p in sink.get("expose", [])]
    assert any(resolve(str(p)).endswith(":8025") for p in sink.get("ports", [])), "publish the web inbox"
    assert (smtp.user, smtp.starttls, smtp.ssl) == (None, False, False)


def test_time_zone_is_asia_shanghai(services, common_env):
    from chunnuan.config.settings import TIMEZONE

    assert common_env.get("AIRFLOW__CORE__DEFAULT_TIMEZONE") == TIMEZONE == "Asia/Shanghai"
    for name in ("postgres", SMTP_SINK):
        assert resolved_env(services[name]).get("TZ") == TIMEZONE, name
    assert common_env.get("TZ") == TIMEZONE


def env_example() -> tuple[dict[str, str], dict[str, str]]:
    """Assignments in .env.example (commented-out ones too) and the comment block above each."""
    values, docs = {}, {}
    block: list[str] = []  # the comment lines read since the last assignment or blank line
    doc = ""  # shared by consecutive assignments under one comment block
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if m := re.fullmatch(r"#?([A-Za-z_][A-Za-z0-9_]*)=(.*)", stripped):  # `#VAR=x`: commented out
            if block:
                doc, block = "\n".join(block), []
            values[m[1]], docs[m[1]] = m[2], doc
        elif stripped.startswith("#"):
            block.append(stripped)
        else:
            block, doc = [], ""
    return values, docs


def test_env_example_documents_every_variable_with_the_compose_default(compose):
    used: set[str] = set()
    default_of: dict[str, set[str]] = {}
    for text in strings(compose):
        used |= variables(text)
        for name, value in defaults(text):
            default_of.setdefault(name, set()).add(value)
    values, docs = env_example()

    assert used, "no variables found in docker-compose.yaml"
    assert not used - set(values), f".env.example does not mention {sorted(used - set(values))}"
    assert not set(values) - used, f".env.example documents unused variables {sorted(set(values) - used)}"
    for name, found in default_of.items():
        assert len(found) == 1, f"{name} has different defaults in docker-compose.yaml: {sorted(found)}"
        assert values[name] == next(iter(found)), \
            f".env.example says {name}={values[name]}, docker-compose.yaml defaults to {next(iter(found))!r}"
    for name, doc in docs.items():
        assert re.search(r"[\u4e00-\u9fff]", doc) and re.search(r"[A-Za-z]{3,} [A-Za-z]{2,}", doc), \
            f"{name} needs a Chinese and an English comment above it in .env.example"


def test_dockerignore_sends_only_what_the_dockerfile_copies():
    patterns = [line.strip() for line in DOCKERIGNORE.read_text().splitlines()
                if line.strip() and not line.strip().startswith("#")]
    sources = []
    for keyword, rest in dockerfile_instructions():
        if keyword == "COPY" and "--from" not in rest:
            sources += [arg for arg in rest.split()[:-1] if not arg.startswith("--")]
    assert sources, "the Dockerfile copies nothing from the build context"
    for source in sources:
        assert (REPO / source).exists(), f"COPY {source}: not in the checkout"
        assert not dockerignored(source, patterns), f"COPY {source}: excluded by .dockerignore"
    for secret_or_bulk in (".env", ".git", ".venv", "var", "var/campaign.db", "include/chunnuan.egg-info"):
        assert dockerignored(secret_or_bulk, patterns), f".dockerignore should exclude {secret_or_bulk}"
