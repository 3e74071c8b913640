"""Training-class submissions: through the intake each consistency rule quarantines the row with a reason; the
template has headers the reader knows and drop-downs whose every value the gate accepts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import load_workbook

from chunnuan.cli import main
from chunnuan.config import campaign
from chunnuan.intake.gate import check_submission
from chunnuan.intake.kinds.training import KIND, TRAINING
from tests.support.training import class_row, write_classes

GX, SD = campaign.load("guangxi-2024"), campaign.load("shandong-2024")


def check(tmp_path, rows, the_campaign=GX, engine="gx"):
    return check_submission(write_classes(tmp_path / "培训班.csv", rows), the_campaign, engine, kind=KIND)


BAD = {
    "completed_over_enrolled": ({"报名人数": "30", "结业人数": "31", "取证人数": "0"}, "count_inconsistent", "结业人数 31 多于报名人数 30"),
    "certified_over_completed": ({"结业人数": "20", "取证人数": "21"}, "count_inconsistent", "取证人数 21 多于结业人数 20"),
    "over_enrolled": ({"计划名额": "40", "报名人数": "45"}, "over_enrolled", "超过计划名额 40 的 110%"),
    "poor_over_enrolled": ({"其中脱贫人口": "49"}, "count_inconsistent", "其中脱贫人口 49 多于报名人数 48"),
    "unknown_trade": ({"培训工种": "宇航员"}, "trade_unknown", "培训工种「宇航员」不在本次行动的工种清单中"),
    "unknown_brand": ({"劳务品牌": "齐鲁家政"}, "brand_unknown", "劳务品牌「齐鲁家政」不在本次行动的劳务品牌清单中"),
    "start_out_of_window": ({"开班日期": "2023-12-20"}, "date_out_of_window", "开班日期「2023-12-20」不在培训班核查时段"),
    "end_before_start": ({"结业日期": "2024-01-30"}, "date_order", "「结业日期」早于「开班日期」"),
    "bad_type": ({"培训类型": "岗前"}, "choice_invalid", "「培训类型」只能填 送工前 / 其他"),
    "no_places": ({"计划名额": "0", "报名人数": "0", "其中脱贫人口": "0", "结业人数": "0", "取证人数": "0"},
                  "count_invalid", "「计划名额」应为 1 至 10000 的整数"),
    "unreadable_count": ({"报名人数": "四十八"}, "count_invalid", "「报名人数」应为 0 至 10000 的整数"),
    "county_elsewhere": ({"县(市、区)": "历下区"}, "county_unknown", "是山东省的县(市、区)"),
    "missing_name": ({"培训班名称": ""}, "missing", "「培训班名称」未填写"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_each_inconsistent_record_is_quarantined_with_its_reason(tmp_path, case):
    change, code, reason = BAD[case]
    rows = [class_row(1), class_row(2, **change), *(class_row(n) for n in range(3, 7))]  # 1 bad in 6: under 20%

    result = check(tmp_path, rows)

    assert result.error is None
    assert result.counts == {"rows": 6, "valid": 5, "quarantined": 1, "duplicates": 0}
    [problem] = result.problems.to_dict(orient="records")
    assert problem["row"] == 3 and problem["code"] == code  # spreadsheet row 3 = second data row
    assert reason in problem["reason"]


def test_gx_and_pandas_engines_agree(tmp_path):
    rows = [class_row(i, **change) for i, (change, _, _) in enumerate(BAD.values())] + [class_row(99)]
    lenient = GX.model_copy(update={"intake": GX.intake.model_copy(update={"max_bad_row_share": 1.0})})
    by_gx, by_pandas = check(tmp_path, rows, lenient, engine="gx"), check(tmp_path, rows, lenient, engine="pandas")
    assert by_gx.problems.equals(by_pandas.problems)
    assert by_gx.counts["valid"] == 1 and by_gx.counts["quarantined"] == len(BAD)


def test_clean_values_units_and_blank_counts(tmp_path):
    rows = [class_row(1, 报名人数="48人", 结业人数="", 取证人数="", 其中脱贫人口="", 培训类型="送工前培训", 劳务品牌="")]

    [row] = check(tmp_path, rows).valid.to_dict(orient="records")

    assert (row["county_code"], row["city_code"], row["class_type"]) == ("450821", "450800", "送工前")
    assert (row["places"], row["enrolled"], row["completed"], row["certified"], row["enrolled_poor"]) == (50, 48, 0, 0, 0)
    assert row["brand"] is None or row["brand"] != row["brand"]  # no brand: empty, not ""


def test_same_class_twice_in_a_file_keeps_the_later_report(tmp_path):
    rows = [class_row(1, 报名人数="30", 结业人数="", 取证人数="", 其中脱贫人口="", 填报日期="2024-02-10"),
            class_row(1, 报名人数="20", 结业人数="", 取证人数="", 其中脱贫人口="", 填报日期="2024-02-01")]

    result = check(tmp_path, rows)

    assert result.counts == {"rows": 2, "valid": 1, "quarantined": 0, "duplicates": 1}
    assert result.valid["enrolled"].tolist() == [30]
    assert result.duplicates[["source_row", "kept_row"]].values.tolist() == [[3, 2]]


def test_shandong_has_its_own_brands_and_counties(tmp_path):
    row = class_row(1, **{"县(市、区)": "济南市历下区", "劳务品牌": "齐鲁家政", "培训班名称": "历下区家政培训班"})
    assert check(tmp_path, [row], SD).counts["valid"] == 1
    assert check(tmp_path, [class_row(1)], SD).error is not None  # a Guangxi county in Shandong: not this province


def test_without_records_consistent_only_readability_is_checked(tmp_path):
    rules = GX.training.model_copy(update={"rules": ["pre_dispatch_class"]})
    relaxed = GX.model_copy(update={"training": rules})
    rows = [class_row(1, 培训工种="宇航员", 结业人数="60"), class_row(2, 计划名额="零"), *map(class_row, range(3, 7))]

    result = check(tmp_path, rows, relaxed)

    assert result.counts["valid"] == 5 and result.problems["code"].tolist() == ["count_invalid"]


# --- the template ---------------------------------------------------------------------------------


def options(book, title: str) -> list[str]:
    sheet = book["选项"]
    column = next(c for c in sheet[1] if c.value == title).column
    return [r[0] for r in sheet.iter_rows(min_row=2, min_col=column, max_col=column, values_only=True) if r[0]]


@pytest.mark.parametrize("the_campaign", [GX, SD], ids=lambda c: c.id)
def test_every_drop_down_value_passes_the_check(tmp_path, capsys, the_campaign):
    path = tmp_path / "培训班.xlsx"
    assert main(["template", "training", str(path), "--campaign", the_campaign.id]) == 0
    book = load_workbook(path)
    sheet = book["培训班报表"]
    assert [c.value for c in sheet[1]] == [c.header for c in TRAINING.columns]
    counties, trades, brands = (options(book, t) for t in ("县(市、区)选项", "工种选项", "劳务品牌选项"))
    assert len(counties) == len(set(counties)) > 100 and trades == the_campaign.training.trades
    assert brands == the_campaign.training.brands
    start = dt.datetime(2024, 2, 1)
    for i, county in enumerate(counties):  # one class per county, cycling through trades and brands
        sheet.append([county, f"第{i}期", "送工前", trades[i % len(trades)], brands[i % len(brands)], start,
                      start + dt.timedelta(days=6), 40, 40, 10, 38, 30, "职业学校", "人社局", start])
    book.save(path)
    capsys.readouterr()

    assert main(["check", str(path), "--campaign", the_campaign.id, "--kind", "training", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rows"] == out["valid"] == len(counties) and out["problems"] == []


def test_instructions_state_the_campaigns_rules(tmp_path):
    texts = {}
    for c in (GX, SD):
        main(["template", "training", str(tmp_path / f"{c.id}.xlsx"), "--campaign", c.id])
        sheet = load_workbook(tmp_path / f"{c.id}.xlsx")["填表说明"]
        texts[c.id] = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)
    assert "至少开展 1 期送工前技能培训班" in texts[GX.id] and "至少开展" not in texts[SD.id]
    assert all("可超出计划名额不超过 10%" in t and "前至少 3 天开班" in t for t in texts.values())
