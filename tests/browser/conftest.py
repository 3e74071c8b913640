"""One `airflow standalone` and one Chromium for every browser test (a server start costs about a minute on
two cores): demo data in the landing folders, a migrated campaign DB, a real SMTP sink, the clerk accounts
and their counties, and the account the 提交报表 page triggers the intake as."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from chunnuan import db
from chunnuan.config import settings
from chunnuan.devtools import smtp_sink
from chunnuan.planner import write_fleet
from chunnuan.synth.charter import fleet
from chunnuan.synth.survey import generate
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, CLERKS, GX, SHOTS, USERS
from tests.support.standalone import Standalone

UPLOAD_MAX_MB = 1  # small, so the oversized upload in the test is small too


@pytest.fixture(scope="session")
def province(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ui")
    home, url = tmp / "var", f"sqlite:///{tmp / 'campaign.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CHUNNUAN_HOME", str(home))
        demo = generate(GX, 20_000, 2024, settings.landing_dir(GX.id, "survey"))
        fleet_dir = settings.landing_dir(GX.id, "fleet")
        fleet_dir.mkdir(parents=True)
        write_fleet(fleet(GX, 20_000, supply=1.5), fleet_dir / "运力报表.csv")
    db.upgrade(url)
    # The two largest counties: enough riders for full coaches, few enough files for a quick run.
    surveys = [f["file"] for f in sorted(demo["per_file"], key=lambda f: -f["rows"])[:2]]
    outbox = tmp / "outbox"
    sink = smtp_sink.start(outbox)
    server = Standalone(tmp / "airflow", USERS, {
        "AIRFLOW_CONN_CAMPAIGN_DB": json.dumps({"conn_type": "generic", "extra": {"sqlalchemy_url": url}}),
        "AIRFLOW_CONN_CAMPAIGN_SMTP": json.dumps({"conn_type": "generic", "host": "127.0.0.1", "port": sink.port,
                                                  "extra": {"from": "office@chunnuan.example.gov.cn"}}),
        "AIRFLOW_VAR_CHUNNUAN_CLERKS": json.dumps(CLERKS, ensure_ascii=False),
        "CHUNNUAN_HOME": str(home), "CHUNNUAN_CAMPAIGN": GX.id, "CHUNNUAN_UPLOAD_MAX_MB": str(UPLOAD_MAX_MB),
    })
    server.env["AIRFLOW_CONN_CHUNNUAN_INTAKE_API"] = json.dumps(
        {"conn_type": "http", "host": server.url, "login": "intake", "password": USERS["intake"][1]})
    server.start()
    yield {"server": server, "url": url, "surveys": surveys, "outbox": outbox, "home": home}
    server.stop()
    sink.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("找不到 /usr/bin/chromium：请安装 Debian 软件包 chromium（make test 会自动安装）")
    from playwright.sync_api import sync_playwright

    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
