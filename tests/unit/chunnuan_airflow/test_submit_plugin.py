"""提交报表 as the api-server mounts it (Airflow's own init functions, no server process), on a real SQLite
campaign DB: who may see which upload is decided on the server for the page, the JSON and the download;
accounts without a county are refused; refused files leave nothing behind. The browser test covers the
clicks and the intake run; this one covers every route's access rule in seconds."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from chunnuan.config import campaign
from chunnuan.intake import registry, uploads
from tests.support.rows import make_id, valid_row, write_csv

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
GX = campaign.load("guangxi-2024")
CLERKS = {"pingnan": "平南县", "guiping": "贵港市桂平市", "jiaotong": "交通运输", "lost": "火星县"}


def token(user: str, role: str | None) -> str:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    return get_auth_manager().generate_jwt(SimpleAuthManagerUser(username=user, role=role))


@pytest.fixture(scope="module")
def root(airflow_db):
    from airflow import plugins_manager
    from airflow.api_fastapi.app import init_auth_manager, init_plugins
    from fastapi import FastAPI

    plugins_manager.ensure_plugins_loaded()
    app = FastAPI()
    init_auth_manager(app)
    init_plugins(app)
    return app


@pytest.fixture
def client(root, tmp_path, monkeypatch, chunnuan_home):
    """A client per user name (clerks are viewers; xietiao is a 协调员, i.e. may trigger runs)."""
    from fastapi.testclient import TestClient

    monkeypatch.setenv("AIRFLOW_CONN_CAMPAIGN_DB", json.dumps(
        {"conn_type": "generic", "extra": {"sqlalchemy_url": f"sqlite:///{tmp_path / 'campaign.db'}"}}))
    monkeypatch.setenv("AIRFLOW_VAR_CHUNNUAN_CLERKS", json.dumps(CLERKS, ensure_ascii=False))
    monkeypatch.setenv("CHUNNUAN_CAMPAIGN", GX.id)
    monkeypatch.delenv("AIRFLOW_CONN_CHUNNUAN_INTAKE_API", raising=False)  # no trigger: the schedule takes it
    roles = {"xietiao": "user", "lingdao": "viewer"}
    yield lambda user: TestClient(root, follow_redirects=False,
                                  cookies={"_token": token(user, roles.get(user, "viewer"))})


def survey(tmp_path, bad: int = 0) -> bytes:
    rows = [valid_row(i, 身份证号=make_id(seq=i)) for i in range(1, 7)]  # 1 bad in 6: under the 20% limit
    for row in rows[:bad]:
        row["联系电话"] = "12345"
    return write_csv(tmp_path / "s.csv", rows).read_bytes()


def upload(c, name: str, data: bytes, kind: str = "survey"):
    return c.post("/chunnuan-submit/upload", data={"kind": kind}, files={"file": (name, data)})


def test_plugin_is_discovered_with_its_nav_entry(root):
    from airflow import plugins_manager

    [info] = [p for p in plugins_manager.get_plugin_info() if p["name"] == "chunnuan_submit"]
    assert info["fastapi_apps"][0]["url_prefix"] == "/chunnuan-submit"
    assert info["external_views"][0]["url_route"] == "chunnuan-submit"


def test_a_county_sees_its_uploads_and_nobody_elses(client, tmp_path, chunnuan_home):
    pingnan, guiping, xietiao = client("pingnan"), client("guiping"), client("xietiao")
    page = pingnan.get("/chunnuan-submit/")
    assert page.status_code == 200 and "贵港市平南县" in page.text
    # The forms a county sends, derived from the registry; an area's forms are not offered.
    county_kinds = [k for k in registry.KINDS if k.filed_by == "county"]
    assert all(f'value="{k.name}"' in page.text for k in county_kinds)
    assert 'value="progress"' not in page.text
    template = pingnan.get("/chunnuan-submit/template/survey")
    assert template.status_code == 200 and template.content.startswith(b"PK")
    assert pingnan.get("/chunnuan-submit/template/progress").status_code == 404

    sent = upload(pingnan, "平南县.csv", survey(tmp_path, bad=1))
    assert sent.status_code == 303
    upload_id = int(sent.headers["location"].split("/uploads/")[1].split("?")[0])
    shown = pingnan.get(f"/chunnuan-submit/uploads/{upload_id}")
    assert shown.status_code == 200 and 'id="quarantined">1<' in shown.text and "123**" not in shown.text
    assert load_workbook(__import__("io").BytesIO(
        pingnan.get(f"/chunnuan-submit/uploads/{upload_id}/problems").content)).active.max_row >= 4

    for path in (f"/chunnuan-submit/uploads/{upload_id}", f"/chunnuan-submit/api/uploads/{upload_id}",
                 f"/chunnuan-submit/uploads/{upload_id}/problems"):
        refused = guiping.get(path)
        assert refused.status_code == 403, path
        assert "平南县.csv" not in refused.text and "不是您所在" in refused.text
        assert xietiao.get(path).status_code == 200  # coordinators see every county's
    assert guiping.post(f"/chunnuan-submit/uploads/{upload_id}/submit", data={"accept": "true"}).status_code == 403
    assert guiping.get("/chunnuan-submit/api/uploads").json()["uploads"] == []
    assert [u["id"] for u in xietiao.get("/chunnuan-submit/api/uploads").json()["uploads"]] == [upload_id]
    assert pingnan.get("/chunnuan-submit/uploads/99999").status_code == 404

    # Rows to fix: submitted only when accepted; then it is in the landing folder, waiting for the schedule.
    assert pingnan.post(f"/chunnuan-submit/uploads/{upload_id}/submit").status_code == 409
    done = pingnan.post(f"/chunnuan-submit/uploads/{upload_id}/submit", data={"accept": "true"})
    assert done.status_code == 303
    assert pingnan.get(f"/chunnuan-submit/api/uploads/{upload_id}").json()["outcome"] == "已提交、等待入库"
    assert "定时入库" in pingnan.get(done.headers["location"]).text


def test_accounts_without_a_county_and_bad_files_are_refused(client, tmp_path, chunnuan_home):
    for user, words in (("lingdao", "还没有对应的县"), ("lost", "火星县")):
        page = client(user).get("/chunnuan-submit/")
        assert page.status_code == 403 and words in page.text
        assert client(user).get("/chunnuan-submit/api/uploads").status_code == 403
    area = client("jiaotong")
    assert 'value="progress"' in area.get("/chunnuan-submit/").text
    assert upload(area, "摸排.csv", survey(tmp_path)).status_code == 403  # a county's form

    pingnan = client("pingnan")
    assert upload(pingnan, "说明.docx", b"PK\x03\x04 not a sheet").status_code == 415
    refused = upload(pingnan, "大.csv", b"x" * (uploads.max_upload_bytes() + 70_000))
    assert refused.status_code == 413 and "文件太大" in refused.text and 'href="/chunnuan-submit/"' in refused.text
    assert not uploads.uploads_dir(GX.id).exists()
    assert pingnan.get("/chunnuan-submit/api/uploads").json()["uploads"] == []


def test_logged_out_is_sent_to_login(root):
    from fastapi.testclient import TestClient

    anonymous = TestClient(root, follow_redirects=False)
    assert anonymous.get("/chunnuan-submit/").status_code == 303
    assert anonymous.get("/chunnuan-submit/api/uploads").status_code == 401
