"""The railway's offer (铁路运力报表): each row check with its Chinese reason, on hand-made rows."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from chunnuan.cli import main
from chunnuan.config import campaign
from chunnuan.intake.kinds.rail import KIND, RAIL
from tests.support.jobs import check
from tests.support.kinds import rail_row

GX = campaign.load("guangxi-2024")
# 15 good rows keep one bad row under the campaign's bad-row share, so it is quarantined, not the file refused
GOOD = [rail_row(n) for n in range(2, 17)]


def reasons_for(tmp_path, bad: dict) -> list[tuple[str, str, str]]:
    result = check(tmp_path, KIND, [rail_row(1, **bad), *GOOD], GX)
    assert result.error is None and result.conserved()
    problems = result.problems[result.problems["row"] == result.problems["row"].min()] \
        if result.problems is not None and len(result.problems) else []
    return [(p["code"], p["column"], p["reason"]) for _, p in problems.iterrows()] if len(problems) else []


def test_good_rows_load_with_capacity_and_joined_stops(tmp_path):
    result = check(tmp_path, KIND, [rail_row(1, 经停站="贵港站，平南南"),
                                    rail_row(2, 车厢类型="二等座", 每厢定员="90", 可提供车厢数="整列",
                                             整列定员="613", 车次="D3601", 始发站="南宁东", 到达站="深圳北")], GX)
    assert result.error is None and result.counts == {"rows": 2, "valid": 2, "quarantined": 0, "duplicates": 0}
    rows = result.valid.sort_values("source_row")
    assert rows["stops"].tolist() == ["贵港、平南南", "贵港、平南南"]
    assert rows["seats"].tolist() == [6 * 118, 613]  # carriages × 定员; a whole train: its 整列定员
    assert rows["whole_train"].tolist() == [False, True] and pd_na(rows["carriages"].iloc[1])


def pd_na(value) -> bool:
    import pandas as pd
    return value is pd.NA or pd.isna(value)


@pytest.mark.parametrize("bad, code, words", [
    ({"车次": "高铁1"}, "train_no_invalid", "车次「高铁1」格式不对"),
    ({"日期": "2024-05-01"}, "date_out_of_window", "不在出行时段"),
    ({"日期": "下周一"}, "date_invalid", "「日期」无法识别"),
    ({"始发站": "南宁火车站"}, "station_unknown", "「始发站」中的「南宁火车站」不是本次行动使用的车站"),
    ({"到达站": "北京西"}, "station_unknown", "不是本次行动使用的车站"),  # a real station, not the campaign's
    ({"经停站": "贵港、柳州南"}, "station_unknown", "「经停站」"),
    ({"到达站": "南宁东"}, "station_unknown", "「到达站」与「始发站」相同"),
    ({"车厢类型": "软座"}, "choice_invalid", "「车厢类型」只能填 硬座 / 硬卧 / 二等座"),
    ({"每厢定员": "180"}, "capacity_invalid", "「每厢定员」180 与硬座车厢的公开定员相差超过15%"),
    ({"车厢类型": "硬卧", "每厢定员": "118"}, "capacity_invalid", "与硬卧车厢的公开定员"),
    ({"每厢定员": "很多"}, "count_invalid", "「每厢定员」应为 1 至 200 的整数"),
    ({"可提供车厢数": "30"}, "count_invalid", "「可提供车厢数」应为 1 至 20 的整数"),
    ({"可提供车厢数": "整列"}, "missing", "须填写「整列定员」"),
    ({"可提供车厢数": "整列", "整列定员": "5000"}, "capacity_invalid", "「整列定员」「5000」不在专列的常见范围内"),
    ({"车厢类型": "二等座", "每厢定员": "90", "可提供车厢数": "整列", "整列定员": "1400"}, "capacity_invalid",
     "动车/高铁专列 550—720人"),  # 1,400 is a 普速专列's size, not an 8-car 动车组's
    ({"团体票价": "0"}, "fare_invalid", "「团体票价」应为 0 至 2000 元之间的金额"),
    ({"团体票价": "一百"}, "fare_invalid", "实际为「一百」"),
    ({"联系电话": "12345"}, "phone_invalid", "联系电话应为11位手机号码"),
    ({"联系人": ""}, "missing", "「联系人」未填写"),
])
def test_bad_row_is_quarantined_with_its_reason(tmp_path, bad, code, words):
    found = reasons_for(tmp_path, bad)
    assert any(c == code and words in reason for c, _, reason in found), found


def test_a_whole_normal_train_of_1400_passes(tmp_path):
    assert reasons_for(tmp_path, {"可提供车厢数": "整列", "整列定员": "1400", "车次": "L5001"}) == []


def test_a_later_row_for_the_same_train_date_and_type_replaces_the_earlier(tmp_path):
    result = check(tmp_path, KIND, [rail_row(1, 可提供车厢数="4"), rail_row(1, 可提供车厢数="8")], GX)
    assert result.counts == {"rows": 2, "valid": 1, "quarantined": 0, "duplicates": 1}
    assert result.valid["carriages"].tolist() == [8]


def test_template_lists_the_campaign_stations_and_its_rows_pass(tmp_path):
    path = tmp_path / "铁路运力.xlsx"
    assert main(["template", "rail", str(path), "--campaign", GX.id]) == 0
    book = load_workbook(path)
    sheet = book["铁路运力"]
    assert [c.value for c in sheet[1]] == [c.header for c in RAIL.columns]
    options = [c.value for c in book["选项"]["A"]][1:]
    assert {"南宁东", "平南南", "广州南", "深圳北"} <= set(options)
    sheet.append(list(rail_row(1).values()))
    book.save(path)
    result = check_file(path)
    assert result.counts["valid"] == 1, result.summary()


def check_file(path):
    from chunnuan.intake.gate import check_submission
    return check_submission(path, GX, kind=KIND)
