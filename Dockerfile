# 春暖 chunnuan — the Airflow image docker-compose.yaml runs (api-server, scheduler, dag-processor,
# Celery workers, triggerer, init).
#
# Extends the official image the way the docker-stack docs recommend ("Extending the image"):
# apt packages as root, then back to the airflow user for pip. The FROM tag's Airflow version must equal
# the `apache-airflow==` pin in requirements.txt (the build stops otherwise; tests/unit/test_compose.py
# checks it too), and Python is 3.11 like the local venv.
#
#   docker compose build            # or: docker build -t chunnuan-airflow:3.3.2-python3.11 .
FROM apache/airflow:3.3.2-python3.11

# The Celery executor is pinned in requirements.txt with celery itself (provider 3.26.0 needs celery 5.6.3:
# 5.7.0 breaks it, and the scheduler then dies with a misleading version message), the same pins the local
# venv and the cluster tests (tests/cluster) run. Providers only the image needs, on top: the FAB auth
# manager (users, roles) and psycopg2 for the metadata DB. The image ships these already; naming them here
# makes pip resolve their dependencies together with the pins (a conflict fails the build instead of
# silently breaking a provider).
ARG CLUSTER_PROVIDERS="apache-airflow-providers-fab==3.10.2 apache-airflow-providers-postgres==7.1.1"

# A CJK font so reports, charts and screenshots show Chinese instead of boxes.
USER root
RUN apt-get update \
  && apt-get install -y --no-install-recommends \
         fonts-noto-cjk \
  && apt-get autoremove -yqq --purge \
  && apt-get clean \
  && rm -rf /var/lib/apt/lists/*
USER airflow

# The pinned requirements. "apache-airflow==${AIRFLOW_VERSION}" (AIRFLOW_VERSION is set by the base image)
# keeps pip from up- or downgrading Airflow to satisfy some other pin: a conflict becomes an error.
COPY --chown=airflow:root requirements.txt /opt/airflow/requirements.txt
RUN grep -qxF "apache-airflow==${AIRFLOW_VERSION}" /opt/airflow/requirements.txt \
  || { echo "requirements.txt does not pin apache-airflow==${AIRFLOW_VERSION} (the base image's version):" \
            "change the FROM tag and the pin together" >&2; exit 1; }
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r /opt/airflow/requirements.txt \
      ${CLUSTER_PROVIDERS}

# The project, installed like `make install` does (`pip install --no-deps -e .`): the editable install
# puts /opt/airflow/include on sys.path and provides the `chunnuan` command. docker-compose.yaml mounts
# the checkout's include/ over this copy, so code edits need no rebuild; the copy makes the image
# usable on its own (e.g. workers on other machines).
COPY --chown=airflow:root pyproject.toml /opt/airflow/pyproject.toml
COPY --chown=airflow:root include /opt/airflow/include
RUN pip install --no-cache-dir --no-deps -e /opt/airflow
COPY --chown=airflow:root dags /opt/airflow/dags
COPY --chown=airflow:root plugins /opt/airflow/plugins

ENV PYTHONPATH=/opt/airflow/include \
    CHUNNUAN_HOME=/opt/airflow/var \
    CHUNNUAN_CAMPAIGNS_DIR=/opt/airflow/include/campaigns \
    GX_ANALYTICS_ENABLED=False \
    TZ=Asia/Shanghai

# Smoke test without importing Airflow (which would write an airflow.cfg with secrets into the image).
RUN mkdir -p /opt/airflow/var \
  && chunnuan --help >/dev/null \
  && python -c "import chunnuan.config.settings as s, chunnuan_airflow; assert str(s.REPO_ROOT) == '/opt/airflow', s.REPO_ROOT"
