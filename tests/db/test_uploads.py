"""Uploads from the 提交报表 page on real SQLite and PostgreSQL, through the real intake: a county's file is kept
by content hash and checked as `chunnuan check` checks it, a file with rows to fix is only submitted when the
clerk accepts it, the landed file is loaded by the intake and the outcome and figures are the county's own;
another county sees none of it; refused files leave nothing behind."""

from __future__ import annotations

import pytest

from chunnuan import db
from chunnuan.config import campaign, settings
from chunnuan.intake import landing, registry, uploads
from chunnuan.intake.batches import load_kind, register_kinds, validate_batches
from chunnuan.intake.gate import check_submission
from tests.support.rows import make_id, valid_row, write_csv

GX = campaign.load("guangxi-2024")
PINGNAN, GUIPING = uploads.clerk_scope("平南县", GX), uploads.clerk_scope("桂平市", GX)


def survey_bytes(tmp_path, name: str, bad_rows: int = 0, rows: int = 4, first: int = 1) -> bytes:
    table = [valid_row(i, 身份证号=make_id(seq=i)) for i in range(first, first + rows)]
    for row in table[:bad_rows]:
        row["身份证号"] = row["身份证号"][:-1] + ("0" if row["身份证号"][-1] != "0" else "1")  # wrong check digit
    return write_csv(tmp_path / name, table).read_bytes()


def intake(url):
    engine = db.engine(url)
    registered = register_kinds(engine, GX, landing.landed(GX.id))
    validate_batches(engine, GX, registered["new"])
    return {kind: load_kind(engine, GX, kind) for kind in registry.NAMES}


def test_a_county_uploads_fixes_submits_and_sees_its_own_outcome(db_url, chunnuan_home, tmp_path):
    engine = db.engine(db_url)
    wrong = survey_bytes(tmp_path, "wrong.csv", bad_rows=1, rows=6)  # 1 in 6: under the 20% limit
    first = uploads.receive(engine, GX, "survey", PINGNAN, "pingnan", "C:\\报表\\平南县 摸排<1>.csv", wrong)
    seen = uploads.visible(engine, GX, first, PINGNAN)
    # The same answer `chunnuan check` gives for these bytes, with the value masked.
    expected = check_submission(write_csv_bytes(tmp_path / "same.csv", wrong), GX,
                                kind=registry.gate_kind("survey")).summary()
    assert seen["check"]["rows"] == expected["rows"] == 6 and seen["check"]["quarantined"] == 1
    assert seen["check"]["error"] is None
    assert seen["check"]["problems"] == expected["problems"]
    assert all("*" in p["value"] for p in seen["check"]["problems"])
    assert seen["file_name"] == "平南县_摸排_1.csv" and seen["outcome"] == "未提交"
    assert uploads.problem_list(GX, seen).is_file()
    with pytest.raises(uploads.UploadRefused):  # rows to fix: not without the clerk's consent
        uploads.submit(engine, GX, first, PINGNAN, "pingnan", accept=False)

    fixed = uploads.receive(engine, GX, "survey", PINGNAN, "pingnan", "平南县.csv",
                            survey_bytes(tmp_path, "fixed.csv", rows=5))
    landed = uploads.submit(engine, GX, fixed, PINGNAN, "pingnan", accept=False)
    assert landed.parent == settings.landing_dir(GX.id, "survey") and landed.name.startswith("贵港市平南县-")
    assert uploads.submit(engine, GX, fixed, PINGNAN, "pingnan", accept=False) == landed  # twice: landed once
    assert uploads.visible(engine, GX, fixed, PINGNAN)["outcome"] == "已提交、等待入库"

    # 桂平市 sends the same kind of form under the same name: its own file, nothing overwritten.
    other = uploads.receive(engine, GX, "survey", GUIPING, "guiping", "平南县.csv",
                            survey_bytes(tmp_path, "guiping.csv", rows=2, first=50))
    uploads.submit(engine, GX, other, GUIPING, "guiping", accept=False)
    assert len(landing.find_submissions(settings.landing_dir(GX.id, "survey"))) == 2

    intake(db_url)
    mine = uploads.listing(engine, GX, PINGNAN)
    assert [u["id"] for u in mine["uploads"]] == [fixed, first]
    assert mine["uploads"][0]["outcome"] == "已入库" and mine["uploads"][0]["intake"]["loaded"] == 5
    assert mine["totals"] == {"需求摸排表": {"files": 1, "loaded": 5, "quarantined": 0, "merged": 0}}
    assert [u["id"] for u in uploads.listing(engine, GX, uploads.COORDINATOR)["uploads"]] == [other, fixed, first]

    for upload_id in (fixed, first):  # another county: refused on the server, whatever it asks for
        with pytest.raises(uploads.NotVisible):
            uploads.visible(engine, GX, upload_id, GUIPING)
        with pytest.raises(uploads.NotVisible):
            uploads.submit(engine, GX, upload_id, GUIPING, "guiping", accept=True)
    assert [u["id"] for u in uploads.listing(engine, GX, GUIPING)["uploads"]] == [other]


def write_csv_bytes(path, data: bytes):
    path.write_bytes(data)
    return path


def test_refused_uploads_leave_nothing_and_every_accepted_one_is_kept(db_url, chunnuan_home, tmp_path, monkeypatch):
    engine = db.engine(db_url)
    monkeypatch.setenv("CHUNNUAN_UPLOAD_MAX_MB", "0.01")
    refusals = {"报表.pdf": (b"%PDF-1.4 ...", 415), "../../etc/报表.exe": (b"MZ\x90\x00", 415),
                "大文件.csv": (b"x" * 20_000, 413), "空.xlsx": (b"", 400)}
    for name, (data, status) in refusals.items():
        with pytest.raises(uploads.UploadRefused) as refused:
            uploads.receive(engine, GX, "survey", PINGNAN, "pingnan", name, data)
        assert refused.value.status == status
    with pytest.raises(uploads.UploadRefused) as refused:  # an area's form is not a county's to send
        uploads.receive(engine, GX, "progress", PINGNAN, "pingnan", "进展.csv", b"a,b\n")
    assert refused.value.status == 403
    assert not uploads.uploads_dir(GX.id).exists()
    assert uploads.listing(engine, GX, uploads.COORDINATOR)["uploads"] == []

    # A file the gate sends back whole is kept all the same, and cannot be submitted.
    disguised = uploads.receive(engine, GX, "survey", PINGNAN, "pingnan", "伪装.xlsx", b"%PDF-1.4 not a sheet")
    same_bytes = uploads.receive(engine, GX, "survey", PINGNAN, "pingnan", "伪装2.xlsx", b"%PDF-1.4 not a sheet")
    assert uploads.visible(engine, GX, disguised, PINGNAN)["check"]["error"]
    with pytest.raises(uploads.UploadRefused):
        uploads.submit(engine, GX, disguised, PINGNAN, "pingnan", accept=True)
    kept = [p for p in uploads.uploads_dir(GX.id).rglob("*") if p.is_file()]
    assert len(kept) == 1 and kept[0].read_bytes() == b"%PDF-1.4 not a sheet"  # one copy per content
    assert {u["id"] for u in uploads.listing(engine, GX, PINGNAN)["uploads"]} == {disguised, same_bytes}
