"""提交报表 as a county clerk uses it, in headless Chromium against the same `airflow standalone` as the
coordinator's test (tests/browser/conftest.py).

平南县's clerk logs in, opens 提交报表 from the navigation, downloads the survey template, fills it with six
workers of whom one has a bad phone number, uploads it and sees the problem (masked) at once, downloads the
问题清单, uploads the corrected file, submits it; the page triggers the intake through Airflow's API, and
after the run the clerk sees it loaded with the right counts. 桂平市's clerk gets 403 for that upload's
page, JSON and problem list. A non-spreadsheet and an oversized file get a Chinese message and leave nothing
behind. Each step leaves a screenshot in test-output/browser/.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import UPLOAD_MAX_MB
from tests.support.browser import GX, log_in, scalar, session_token, shot
from tests.support.rows import make_id, valid_row

pytestmark = pytest.mark.slow
SUBMIT = "/chunnuan-submit"


def open_submit_page(page):
    """From the navigation, as a clerk would; the page shows inside an iframe."""
    page.get_by_role("link", name="提交报表").or_(page.get_by_role("button", name="提交报表")).first.click()
    page.wait_for_url("**/plugin/chunnuan-submit**")
    frame = page.frame_locator("iframe")
    frame.locator("#upload-form").wait_for()
    return frame


def filled_template(template: Path, out: Path, bad_phone: bool) -> Path:
    """The downloaded template with six 平南县 workers below its header; the first one's phone wrong or not."""
    book = load_workbook(template)
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    for i in range(6):
        row = valid_row(i + 1, 身份证号=make_id(seq=500 + i))
        if bad_phone and i == 0:
            row["联系电话"] = "1380000"
        for j, header in enumerate(headers, start=1):
            sheet.cell(row=i + 2, column=j, value=row[header] or None)
    book.save(out)
    return out


def upload(frame, path: Path, kind: str = "survey") -> None:
    frame.locator("#kind").select_option(kind)
    frame.locator("#file").set_input_files(str(path))
    frame.locator("#upload").click()


def kept_files(home: Path) -> list[Path]:
    return [p for p in (home / "uploads").rglob("*") if p.is_file()]


def test_a_clerk_uploads_sees_the_problems_fixes_submits_and_sees_it_loaded(province, browser, tmp_path):
    server, url = province["server"], province["url"]
    # The intake must be on (unpaused) to run what the page triggers: a coordinator's switch in the UI.
    coordinator = server.token("xietiao")
    server.patch(coordinator, "/api/v2/dags/survey_intake", {"is_paused": False})

    page = log_in(browser, server, "pingnan")
    frame = open_submit_page(page)
    shot(page, "10-submit-page")
    with page.expect_download() as download:
        frame.locator('a[data-kind="survey"]').click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    assert template.name == "需求摸排表模板.xlsx"

    upload(frame, filled_template(template, tmp_path / "平南县需求摸排.xlsx", bad_phone=True))
    frame.locator("#problems").wait_for()
    assert frame.locator("#rows").inner_text() == "6" and frame.locator("#quarantined").inner_text() == "1"
    problems = frame.locator("#problems").inner_text()
    assert "联系电话" in problems and "1380000" not in problems and "*" in problems  # masked
    shot(page, "11-upload-with-problems")
    with page.expect_download() as download:
        frame.locator("#problem-list").click()
    download.value.save_as(tmp_path / "问题清单.xlsx")
    listed = list(load_workbook(tmp_path / "问题清单.xlsx").active.iter_rows(values_only=True))
    assert any(r[1] == "联系电话" for r in listed if len(r) > 1)

    # Fixed and uploaded again: clean, submitted, the intake run triggered by the page.
    frame.get_by_role("link", name="← 返回提交报表").click()
    upload(frame, filled_template(template, tmp_path / "平南县需求摸排-改.xlsx", bad_phone=False))
    frame.locator("#submit").wait_for()
    assert frame.locator("#quarantined").inner_text() == "0"
    frame.locator("#submit").click()
    frame.locator("#notice").wait_for()
    assert "正在检查入库" in frame.locator("#notice").inner_text()
    shot(page, "12-submitted")

    token = session_token(page)
    mine = server.get(token, f"{SUBMIT}/api/uploads")
    assert mine["scope"] == "贵港市平南县" and len(mine["uploads"]) == 2
    fixed = mine["uploads"][0]
    assert fixed["run_id"] and fixed["submitted_by"] == "pingnan"
    run = server.get(coordinator, f"/api/v2/dags/survey_intake/dagRuns/{urllib.parse.quote(fixed['run_id'])}")
    assert run["conf"] == {"campaign": GX.id, "files": [f"survey/{fixed['landing_name']}"]}
    assert run["triggering_user_name"] == "intake"
    done = server.wait_for(token, f"{SUBMIT}/api/uploads/{fixed['id']}",
                           lambda u: u["batch_status"] in ("loaded", "rejected"), timeout=600)
    assert done["outcome"] == "已入库"
    assert done["intake"] == {"rows": 6, "loaded": 6, "quarantined": 0, "merged": 0, "error": None}
    batch = scalar(url, "SELECT id FROM submission_batch WHERE sha256 = :s", s=fixed["sha256"])
    assert scalar(url, "SELECT COUNT(*) FROM survey_worker WHERE batch_id = :b", b=batch) == 6

    frame.get_by_role("link", name="← 返回提交报表").click()
    frame.locator("#totals").wait_for()
    row = frame.locator(f'tr[data-id="{fixed["id"]}"]')
    assert row.locator(".outcome").inner_text() == "已入库"
    assert "需求摸排表 1 个文件，入库 6 行" in frame.locator("#totals").inner_text()
    shot(page, "13-my-submissions-loaded")
    page.context.close()


def test_another_county_gets_403_for_the_upload_its_json_and_its_problem_list(province, browser):
    server = province["server"]
    uploads_now = server.get(server.token("xietiao"), f"{SUBMIT}/api/uploads")["uploads"]
    pingnan = [u for u in uploads_now if u["scope"] == "贵港市平南县"]
    assert pingnan, "run the whole module: the first test makes 平南县's uploads"
    page = log_in(browser, server, "guiping")
    token = session_token(page)
    for u in pingnan:
        for path in (f"{SUBMIT}/uploads/{u['id']}", f"{SUBMIT}/api/uploads/{u['id']}",
                     f"{SUBMIT}/uploads/{u['id']}/problems"):
            status, body = server.status(token, path)
            assert status == 403 and "不是您所在" in body and u["file_name"] not in body, path
    answer = page.goto(f"{server.url}{SUBMIT}/uploads/{pingnan[0]['id']}")
    assert answer.status == 403
    page.get_by_text("无权查看").wait_for()
    shot(page, "14-other-county-403")
    assert server.get(token, f"{SUBMIT}/api/uploads")["uploads"] == []
    page.context.close()


def test_oversized_and_non_spreadsheet_uploads_are_refused_in_chinese_and_leave_nothing(province, browser,
                                                                                        tmp_path):
    server, home = province["server"], province["home"]
    page = log_in(browser, server, "guiping")
    token = session_token(page)
    before, listed = kept_files(home), len(server.get(token, f"{SUBMIT}/api/uploads")["uploads"])

    frame = open_submit_page(page)
    letter = tmp_path / "情况说明.docx"
    letter.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    upload(frame, letter)
    frame.locator("#refused").wait_for()
    assert "只能上传 Excel 或 CSV 表格" in frame.locator("#refused").inner_text()
    shot(page, "15-not-a-spreadsheet")

    large = tmp_path / "桂平市需求摸排.csv"
    large.write_bytes(b"x" * int((UPLOAD_MAX_MB + 0.5) * 1024 * 1024))
    upload(frame, large)
    frame.get_by_text("文件太大").wait_for()
    shot(page, "16-too-large")

    assert kept_files(home) == before
    assert len(server.get(token, f"{SUBMIT}/api/uploads")["uploads"]) == listed
    page.context.close()
