"""Service-item progress (服务项目进展表): each mistake quarantines its row with a reason a clerk can act
on; 市本级, 省本级 and money decimals pass; the template lists the campaign's own items and figures."""

from __future__ import annotations

import datetime as dt

import pytest

from chunnuan.config import campaign
from chunnuan.intake.kinds.progress import KIND, PROGRESS, figure_table
from tests.support.jobs import check, filled, one_bad, options, progress_row

GX, SD = campaign.load("guangxi-2024"), campaign.load("shandong-2024")

BAD = {
    "area": ({"地区": "平南乡"}, "area_unknown", "地区「平南乡」不是广西壮族自治区的县(市、区)或市"),
    "item": ({"服务项目": "送温暖"}, "item_unknown", "服务项目「送温暖」不是本次行动的服务项目"),
    "figure_of_other_item": ({"统计指标": "欠薪案件"}, "figure_unknown", "统计指标「欠薪案件」不属于服务项目「送关爱帮扶」"),
    "negative": ({"累计数值": "-5"}, "value_invalid", "「累计数值」应为不小于 0 的数"),
    "fraction_of_people": ({"累计数值": "320.5"}, "value_not_whole", "应为整数"),
    "as_of_outside": ({"截至日期": "2024-05-01"}, "date_out_of_window", "不在本次行动时段"),
    "department_unknown": ({"填报部门": "平南县春暖行动工作专班"}, "department_unknown",
                           "部门「平南县春暖行动工作专班」不是本次行动的成员单位，应为：自治区人力资源社会保障厅、公安"),
    "not_the_owner": ({"填报部门": "民政"}, "department_not_owner",
                      "「送关爱帮扶」的指标「走访慰问」由「工会」负责填报，不是「民政」"),
}


def _row(n: int, **overrides: str) -> dict[str, str]:
    return progress_row(**{"截至日期": f"2024-02-{n + 10}", **overrides})


@pytest.mark.parametrize("case", list(BAD))
def test_each_mistake_is_quarantined_row_by_row_with_its_reason(tmp_path, case):
    change, code, reason = BAD[case]
    result = check(tmp_path, KIND, one_bad(_row, change), GX)

    assert result.error is None
    assert result.counts == {"rows": 6, "valid": 5, "quarantined": 1, "duplicates": 0}
    [problem] = result.problems.to_dict(orient="records")
    assert problem["row"] == 3 and problem["code"] == code
    assert reason in problem["reason"]


def test_areas_items_and_money(tmp_path):
    rows = [progress_row(地区="贵港市"),  # 市本级
            progress_row(地区="广西壮族自治区", 服务项目="送劳动权益保障", 统计指标="追回欠薪金额", 累计数值="12.35",
                         填报部门="自治区人力资源社会保障厅"),
            progress_row(服务项目='送“点对点”返乡返岗运输服务', 统计指标="charter_trips", 累计数值="15",
                         填报部门=" 自治区人力资源社会保障厅"),
            progress_row(截至日期="2024-03-01"),
            progress_row(地区="桂平市"), progress_row(地区="450802")]
    result = check(tmp_path, KIND, rows, GX)

    assert result.counts["quarantined"] == 0, result.problems
    got = result.valid.sort_values("source_row")
    assert got["area_code"].tolist() == ["450800", "450000", "450821", "450821", "450881", "450802"]
    assert got["city_code"].tolist() == ["450800", "450000", "450800", "450800", "450800", "450800"]
    assert got["item_code"].tolist()[1:3] == ["labour_rights", "point_to_point"]
    assert got["value"].tolist()[1] == pytest.approx(12.35)
    assert got["entry"].tolist()[0] == "450800|工会|care|2024-02-23"
    assert got["department"].tolist()[1:4] == ["自治区人力资源社会保障厅", "自治区人力资源社会保障厅", "工会"]


def test_shandong_items_are_its_own(tmp_path):
    rows = [*(progress_row(地区="济南市历下区", 服务项目="暖心关爱服务", 统计指标="走访慰问农村外出务工人员",
                           截至日期=f"2024-02-{d}", 填报部门="省人力资源社会保障厅") for d in range(10, 15)),
            progress_row(地区="济南市历下区", 填报部门="省民政厅")]  # Guangxi's 送关爱帮扶 is not a Shandong item
    result = check(tmp_path, KIND, rows, SD)

    assert result.counts["valid"] == 5 and set(result.valid["item_code"]) == {"care"}
    [problem] = result.problems.to_dict(orient="records")
    assert problem["code"] == "item_unknown" and "暖心关爱服务、暖心出行服务" in problem["reason"]


# --- the template ---------------------------------------------------------------------------------


@pytest.mark.parametrize("the_campaign", [GX, SD], ids=lambda c: c.id)
def test_lists_the_campaigns_items_and_every_area_passes(tmp_path, capsys, the_campaign):
    figures = figure_table(the_campaign)

    def progress(book):
        items, names, areas, departments = (options(book, t) for t in ("服务项目选项", "统计指标选项", "地区选项", "部门选项"))
        assert items == [i.name for i in the_campaign.service_items]
        assert set(names) == set(figures["figure_name"]) and areas[0] == the_campaign.province
        assert departments == [d.name for d in the_campaign.departments]
        owners = the_campaign.owners()
        triples = [(r.item_name, r.figure_name, owners[(r.item_code, r.figure_code)]) for r in figures.itertuples()]
        day = dt.datetime.combine(the_campaign.window.start, dt.time()) + dt.timedelta(days=10)
        return [[area, name, figure, 3, day, owner, day]
                for i, area in enumerate(areas) for name, figure, owner in [triples[i % len(triples)]]]

    rows, out = filled(tmp_path, capsys, "progress", the_campaign, PROGRESS, progress)
    assert out["rows"] == out["valid"] == len(rows) and out["problems"] == []
