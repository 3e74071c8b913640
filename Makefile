# The README's commands. Everything installs itself: venv, pinned requirements, PostgreSQL server binaries.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
CAMPAIGN ?= guangxi-2024
WORKERS ?= 20000

# One Airflow home on SQLite for `make demo` and `make airflow`, both on the same data under var/.
LOCAL_ENV = \
	AIRFLOW_HOME=$(CURDIR)/var/airflow \
	AIRFLOW__CORE__DAGS_FOLDER=$(CURDIR)/dags \
	AIRFLOW__CORE__PLUGINS_FOLDER=$(CURDIR)/plugins \
	AIRFLOW__CORE__LOAD_EXAMPLES=False \
	AIRFLOW__CORE__DEFAULT_TIMEZONE=Asia/Shanghai \
	AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=False \
	AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY=60 \
	AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL=1 \
	AIRFLOW_CONN_CAMPAIGN_DB='{"conn_type": "generic", "extra": {"sqlalchemy_url": "sqlite:///$(CURDIR)/var/campaign.db"}}' \
	AIRFLOW_CONN_CAMPAIGN_SMTP='{"conn_type": "generic", "host": "127.0.0.1", "port": 8025, "extra": {"from": "chunnuan@localhost"}}' \
	CHUNNUAN_HOME=$(CURDIR)/var \
	CHUNNUAN_CAMPAIGN=$(CAMPAIGN) \
	GX_ANALYTICS_ENABLED=False \
	PATH=$(CURDIR)/$(BIN):$$PATH

.PHONY: install postgres redis chromium test demo airflow lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

# The tests start their own throwaway cluster; they only need the server binaries (Debian package).
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || { \
		echo "安装 PostgreSQL 服务器程序（Debian 软件包 postgresql）…"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; }

# The cluster tests (tests/cluster) run Debian's Redis as the Celery broker, on a loopback port of their own.
redis:
	@command -v redis-server >/dev/null 2>&1 || test -x /usr/bin/redis-server || { \
		echo "安装集群测试所需的 Debian 软件包 redis-server…"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq redis-server >/dev/null; }

# The browser test drives Debian's Chromium (Playwright, no browser download); the CJK font keeps its
# screenshots readable.
chromium:
	@test -x /usr/bin/chromium && fc-list :lang=zh | grep -q . || { \
		echo "安装浏览器测试所需的 Debian 软件包 chromium、fonts-noto-cjk…"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

lint: install
	$(BIN)/ruff check .

test: install postgres redis chromium lint
	$(BIN)/pytest

demo: install
	$(LOCAL_ENV) $(BIN)/python scripts/demo.py --campaign $(CAMPAIGN) --workers $(WORKERS)

airflow: install
	$(LOCAL_ENV) $(BIN)/python scripts/demo.py --campaign $(CAMPAIGN) --prepare-only
	$(BIN)/chunnuan smtp-sink --dir var/outbox --port 8025 & trap "kill $$!" EXIT; $(LOCAL_ENV) $(BIN)/airflow standalone

bench: install postgres redis
	$(BIN)/python bench/survey_intake.py
	$(BIN)/python bench/charter_planner.py
	$(BIN)/python bench/pooling.py
	$(BIN)/python bench/job_matching.py
	$(BIN)/python bench/check_file.py
	$(BIN)/python bench/executors.py

clean:
	rm -rf var .pytest_cache .ruff_cache
