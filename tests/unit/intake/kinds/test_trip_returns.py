"""The returned manifest (包车回执): checked against the plan in force, each mistake quarantines its row with a
reason a carrier can act on; a trip that did not run and a 超员 trip are kept (the latter flagged); the two sheets
of the carrier workbook are read with one column list."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from chunnuan.cli import main
from chunnuan.config import campaign
from chunnuan.intake.kinds.trip_returns import KIND, RIDER_SHEET, TRIP_SHEET
from tests.support.jobs import check
from tests.support.returns import publish_small_plan, rider_id, rider_row, trip_row

GX = campaign.load("guangxi-2024")


@pytest.fixture(autouse=True)
def plan_in_force(chunnuan_home):
    publish_small_plan(GX.id, plan_id=3)


def rows(trip1: dict | None = None, rider2: dict | None = None, trip2: dict | None = None) -> list[dict[str, str]]:
    """Eight rows (spreadsheet rows 2-9): trip GX-T1, its riders 1-3, trip GX-T2, its riders 4-6."""
    return [trip_row("GX-T1", **(trip1 or {})), rider_row(1), rider_row(2, **(rider2 or {})), rider_row(3),
            trip_row("GX-T2", **(trip2 or {})), rider_row(4), rider_row(5), rider_row(6)]


TRIP_MISTAKES = {
    "trip_unknown": ({"车次编号": "GX-T9"}, "trip_unknown", "车次「GX-T9」不在已发布的包车方案（第3版）中"),
    "trip_day": ({"发车日期": "2024-02-19"}, "trip_day_wrong", "发车日期「2024-02-19」与方案中该车次的日期不符"),
    "plate": ({"车牌号": "桂12345"}, "plate_invalid", "车牌号「桂12345」格式不对"),
    "plate_letter_o": ({"车牌号": "桂O12345"}, "plate_invalid", "车牌号「桂O12345」格式不对"),
    "departure_day": ({"实际发车时间": "2024-02-19 07:30"}, "departure_day_wrong",
                      "实际发车时间「2024-02-19 07:30」不在该车次的发车日期当天"),
    "departure_text": ({"实际发车时间": "早上七点"}, "date_invalid", "「实际发车时间」无法识别：「早上七点」"),
    "driver_missing": ({"驾驶员": ""}, "missing", "「驾驶员」未填写（已发车的车次须填写）"),
    "riders_missing": ({"实载人数": ""}, "missing", "「实载人数」未填写（已发车的车次须填写）"),
    "riders_text": ({"实载人数": "很多"}, "count_invalid", "「实载人数」应为 0 至 99 的整数，实际为「很多」"),
}
RIDER_MISTAKES = {
    "not_on_trip": ({"车次编号": "GX-T2"}, "rider_not_on_trip",
                    f"身份证号「{rider_id(2)[:6]}********{rider_id(2)[-4:]}」不在车次「GX-T2」的乘车名单中"),
    "boarded_word": ({"是否乘车": "也许"}, "choice_invalid", "「是否乘车」只能填 是 / 否 / 改乘，实际为「也许」"),
    "boarded_blank": ({"是否乘车": ""}, "missing", "「是否乘车」未填写"),
    "id_blank": ({"身份证号": ""}, "missing", "「身份证号」未填写"),
}


@pytest.mark.parametrize("case", list(TRIP_MISTAKES))
def test_a_trip_rows_mistake_quarantines_that_row_only(tmp_path, case):
    change, code, reason = TRIP_MISTAKES[case]
    result = check(tmp_path, KIND, rows(trip1=change), GX)

    assert result.error is None
    assert result.counts == {"rows": 8, "valid": 7, "quarantined": 1, "duplicates": 0}
    [problem] = result.problems.to_dict(orient="records")
    assert (problem["row"], problem["code"]) == (2, code)
    assert reason in problem["reason"]


@pytest.mark.parametrize("case", list(RIDER_MISTAKES))
def test_a_rider_rows_mistake_quarantines_that_row_only_and_shows_no_whole_id(tmp_path, case):
    change, code, reason = RIDER_MISTAKES[case]
    result = check(tmp_path, KIND, rows(rider2=change), GX)

    assert result.counts == {"rows": 8, "valid": 7, "quarantined": 1, "duplicates": 0}
    [problem] = result.problems.to_dict(orient="records")
    assert (problem["row"], problem["code"]) == (4, code)
    assert reason in problem["reason"]
    assert rider_id(2) not in str(result.summary())


def test_an_overcrowded_trip_is_kept_and_flagged(tmp_path):
    result = check(tmp_path, KIND, rows(trip2={"实载人数": "47"}), GX)  # GX-T2 has 45 seats

    assert result.counts["valid"] == 8
    trips = result.valid[result.valid["record"] == "trip"].set_index("trip_id")
    assert trips.loc["GX-T2", ["riders", "seats"]].tolist() == [47, 45]
    assert trips["overcrowded"].to_dict() == {"GX-T1": False, "GX-T2": True}


def test_a_trip_that_did_not_run_needs_no_plate_driver_or_time(tmp_path):
    not_run = {"车牌号": "", "驾驶员": "", "实际发车时间": "", "实载人数": "0"}
    result = check(tmp_path, KIND, rows(trip2=not_run, trip1={"实际发车时间": "7:30", "车牌号": "桂r·D1234 5"}), GX)

    assert result.counts["valid"] == 8, result.summary()
    trips = result.valid[result.valid["record"] == "trip"].set_index("trip_id")
    assert trips["ran"].to_dict() == {"GX-T1": True, "GX-T2": False}
    assert trips.loc["GX-T1", "departed_at"] == "2024-02-18 07:30"  # a time alone is on the trip's day
    assert trips.loc["GX-T1", "plate"] == "桂RD12345"


def test_without_a_published_plan_every_row_says_so(tmp_path, chunnuan_home):
    import shutil

    from chunnuan.charter import register

    shutil.rmtree(register.folder(GX.id))
    result = check(tmp_path, KIND, rows(), GX)
    assert result.error is not None and "整批退回" in result.error
    assert "尚未发布任何方案" in result.problems["reason"].iloc[0]


def test_the_carrier_workbook_two_sheets_come_back_as_one_return(tmp_path):
    """The template is the carrier workbook's shape: trip rows on 车次, riders on 乘车名单, each sheet's own columns."""
    path = tmp_path / "回执.xlsx"
    assert main(["template", "trip_returns", str(path), "--campaign", GX.id]) == 0
    book = load_workbook(path)
    for sheet_name, made in ((TRIP_SHEET, [trip_row("GX-T1"), trip_row("GX-T2", 实载人数="2")]),
                             (RIDER_SHEET, [rider_row(n, 是否乘车="否" if n == 5 else "是") for n in range(1, 7)])):
        sheet = book[sheet_name]
        headers = [c.value for c in sheet[1]]
        for r in made:
            sheet.append([r[h] for h in headers])
    book.save(path)

    from chunnuan.intake.gate import check_submission

    result = check_submission(path, GX, "pandas", kind=KIND)
    assert result.counts == {"rows": 8, "valid": 8, "quarantined": 0, "duplicates": 0}, result.summary()
    riders = result.valid[result.valid["record"] == "rider"]
    assert riders["boarded"].value_counts().to_dict() == {"是": 5, "否": 1}
