"""A small "点对点" plan published through the real steps — survey and fleet through the intake, extract, the
planner, publish (charter tables, manifests, the plan in force) — for the tests of what comes back: the
carriers' returns and the outcome figures."""

from __future__ import annotations

from pathlib import Path

from chunnuan import db
from chunnuan.charter.steps import extract, make_plan, outputs_dir, publish
from chunnuan.config import campaign, settings
from chunnuan.intake import registry
from chunnuan.intake.batches import load_kind, register_files, validate_batches
from tests.support.jobs import write_rows
from tests.support.kinds import fleet_row
from tests.support.rows import make_id, valid_row, write_csv

GX = campaign.load("guangxi-2024")
PINGNAN, GUIPING = "450821", "450881"
COUNTIES = {PINGNAN: "贵港市平南县", GUIPING: "贵港市桂平市"}


def submit(url: str, path: Path, kind: str) -> dict:
    """One file through the real intake: register, check, load."""
    engine = db.engine(url)
    registered = register_files(engine, GX, [path], kind=kind)
    validate_batches(engine, GX, registered["new"])
    return load_kind(engine, GX, kind)


def survey_rows(n: int) -> list[dict[str, str]]:
    """n charter requests to 深圳, none flexible: 平南 and 桂平 in turn, on 02-18 and 02-19 in turn (n = 120: a
    full coach of 30 per county and day)."""
    rows = []
    for i in range(n):
        county = (PINGNAN, GUIPING)[i % 2]
        rows.append(valid_row(i, 姓名=f"工人{i}", 身份证号=make_id(county, seq=i),
                              **{"户籍县(市、区)": COUNTIES[county], "计划出行日期": f"2024-02-{18 + (i // 2) % 2}",
                                 "可提前或推迟天数": "0"}))
    return rows


def publish_plan(url: str, tmp_path: Path, n: int = 120) -> dict:
    """Plan and publish (no email); the outcome of publish, with the carriers' workbooks as `carrier_files`."""
    submit(url, write_csv(tmp_path / "摸排.csv", survey_rows(n)), "survey")
    fleet = [fleet_row(1, 座位数="35", 每日可派车辆数="2")]  # one carrier: one workbook comes back
    submit(url, write_rows(tmp_path / "运力.csv", registry.gate_kind("fleet").schema, fleet), "fleet")
    engine = db.engine(url)
    folder = settings.run_dir(GX.id, "charter", "run-1")
    extract(engine, GX, folder)
    make_plan(GX, folder, workers=1)
    outcome = publish(engine, GX, folder, "run-1", "协调员", None)
    return {**outcome, "carrier_files": sorted((outputs_dir(GX.id, outcome["plan_id"]) / "carriers").glob("*.xlsx"))}
