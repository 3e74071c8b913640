"""Highlights and problems (亮点工作和存在问题报表): each mistake quarantines its row with a reason a clerk
can act on; an ID or mobile number in the text is quarantined and never shown unmasked; the template offers
the campaign's own departments and items."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from chunnuan.cli import main
from chunnuan.config import campaign
from chunnuan.intake.kinds.highlights import CATEGORIES, HIGHLIGHTS, KIND, MAX_TITLE
from tests.support.jobs import check, filled, highlight_row, one_bad, options, write_rows

GX, SD = campaign.load("guangxi-2024"), campaign.load("shandong-2024")
ID, MOBILE = "450821199001011234", "13812345678"

BAD = {
    "area": ({"地区": "平南乡"}, "area_unknown", "地区「平南乡」不是广西壮族自治区的县(市、区)或市"),
    "department": ({"部门": "教育"}, "department_unknown", "部门「教育」不是本次行动的成员单位，应为：自治区人力资源社会保障厅、公安"),
    "item": ({"服务项目": "送温暖"}, "item_unknown", "服务项目「送温暖」不是本次行动的服务项目，应为：送安全保障、送出行保障"),
    "category": ({"类别": "成绩"}, "choice_invalid", "「类别」只能填 典型经验 / 亮点工作 / 存在问题 / 下一步打算"),
    "title_long": ({"标题": "长" * (MAX_TITLE + 1)}, "text_too_long", f"「标题」有 {MAX_TITLE + 1} 字，超过上限 {MAX_TITLE} 字"),
    "content_long": ({"内容": "长" * 501}, "text_too_long", "「内容」有 501 字，超过上限 500 字"),
    "date": ({"日期": "二月底"}, "date_invalid", "「日期」无法识别：「二月底」"),
    "date_outside": ({"日期": "2024-05-01"}, "date_out_of_window", "日期「2024-05-01」不在本次行动时段"),
    "missing_content": ({"内容": ""}, "missing", "「内容」未填写"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_each_mistake_is_quarantined_row_by_row_with_its_reason(tmp_path, case):
    change, code, reason = BAD[case]
    result = check(tmp_path, KIND, one_bad(highlight_row, change), GX)

    assert result.error is None
    assert result.counts == {"rows": 6, "valid": 5, "quarantined": 1, "duplicates": 0}
    [problem] = result.problems.to_dict(orient="records")
    assert problem["row"] == 3 and problem["code"] == code
    assert reason in problem["reason"]


@pytest.mark.parametrize(("field", "text", "shown"), [
    ("内容", f"联系人王某，电话{MOBILE}，可咨询", "138****5678"),
    ("内容", f"帮助身份证{ID}的农民工追回欠薪", "450821********1234"),
    ("标题", "老身份证号450821900101123也不行", "450821*****1123"),
    ("内容", "全角数字也算：１３８１２３４５６７８", "138****5678"),
], ids=["mobile_in_content", "id_in_content", "old_id_in_title", "full_width_mobile"])
def test_an_id_or_mobile_in_the_text_is_quarantined_and_shown_masked(tmp_path, field, text, shown):
    result = check(tmp_path, KIND, one_bad(highlight_row, {field: text}), GX)

    [problem] = result.problems.to_dict(orient="records")
    assert problem["code"] == "pii_in_text" and problem["column"] == field
    assert f"「{field}」中有疑似身份证号或手机号「{shown}」" in problem["reason"]
    assert "邮件" in problem["reason"]
    assert shown in problem["value"]
    summary = json.dumps(result.summary(), ensure_ascii=False)
    assert text not in summary and ID not in summary and MOBILE not in summary
    assert shown in summary  # the masked form is there for the clerk to find it


def test_a_too_long_text_with_a_mobile_shows_both_reasons_masked(tmp_path):
    result = check(tmp_path, KIND, one_bad(highlight_row, {"内容": f"电话{MOBILE}" + "长" * 500}), GX)

    assert set(result.problems["code"]) == {"text_too_long", "pii_in_text"}
    assert MOBILE not in json.dumps(result.summary(), ensure_ascii=False)
    assert result.quarantined["codes"].tolist() == ["text_too_long,pii_in_text"]


def test_numbers_that_are_not_an_id_or_mobile_pass(tmp_path):
    rows = [highlight_row(1, 内容="共走访慰问 12580 人，发放慰问金 350 万元，热线 12333"),
            highlight_row(2, 内容="统一社会信用代码91450821MA5K8Q2X1B的企业新增岗位 1200 个"),
            highlight_row(3, 内容="订单号 123456789012345678901 已核对"),
            highlight_row(4, 标题="２０２４年春节前走访")]
    result = check(tmp_path, KIND, rows, GX)
    assert result.counts["quarantined"] == 0, result.problems


def test_areas_departments_items_and_categories_are_resolved(tmp_path):
    rows = [highlight_row(1, 地区="贵港市", 类别="问题"),  # 市本级, a short category
            highlight_row(2, 地区="广西壮族自治区", 部门="自治区人力资源社会保障厅", 服务项目="送劳动权益保障"),
            highlight_row(3, 服务项目='送“点对点”返乡返岗运输服务', 部门=" 交通运输 ", 类别="下一步打算")]
    result = check(tmp_path, KIND, rows, GX)

    assert result.counts["quarantined"] == 0, result.problems
    got = result.valid.sort_values("source_row")
    assert got["area_code"].tolist() == ["450800", "450000", "450821"]
    assert got["city_code"].tolist() == ["450800", "450000", "450800"]
    assert got["department"].tolist() == ["民政", "自治区人力资源社会保障厅", "交通运输"]
    assert got["item_code"].tolist() == ["care", "labour_rights", "point_to_point"]
    assert got["category"].tolist() == ["存在问题", "亮点工作", "下一步打算"]
    assert got["entry"].tolist()[0] == "450800|民政|2024-02-23"
    assert got["content"].tolist()[0] == highlight_row()["内容"]  # full-width ，。 kept as written


def test_the_same_entry_twice_in_one_file_keeps_the_later(tmp_path):
    rows = [highlight_row(1, 内容="初稿"), highlight_row(2), highlight_row(1, 内容="改定稿")]
    result = check(tmp_path, KIND, rows, GX)

    assert result.counts == {"rows": 3, "valid": 2, "quarantined": 0, "duplicates": 1}
    assert "改定稿" in result.valid["content"].tolist()
    assert result.duplicates.to_dict(orient="records") == [{"source_row": 2, "kept_row": 4}]


def test_shandong_departments_are_its_own(tmp_path):
    rows = [highlight_row(n, 地区="济南市历下区", 部门="省民政厅", 服务项目="暖心关爱服务") for n in range(1, 6)]
    rows.append(highlight_row(6, 地区="济南市历下区", 服务项目="暖心关爱服务"))  # Guangxi's 民政
    result = check(tmp_path, KIND, rows, SD)

    assert result.counts["valid"] == 5
    [problem] = result.problems.to_dict(orient="records")
    assert problem["code"] == "department_unknown" and "省人力资源社会保障厅、省公安厅" in problem["reason"]


def test_the_configured_text_length_is_the_limit(tmp_path):
    short = GX.model_copy(update={"intake": GX.intake.model_copy(update={"max_text_length": 50})})
    result = check(tmp_path, KIND, one_bad(highlight_row, {"内容": "长" * 51}), short)
    assert result.problems["reason"].tolist() == ["「内容」有 51 字，超过上限 50 字，请精简"]


# --- the template ---------------------------------------------------------------------------------


@pytest.mark.parametrize("the_campaign", [GX, SD], ids=lambda c: c.id)
def test_lists_the_campaigns_departments_items_and_every_choice_passes(tmp_path, capsys, the_campaign):
    def highlights(book):
        departments, items, areas = (options(book, t) for t in ("部门选项", "服务项目选项", "地区选项"))
        assert departments == [d.name for d in the_campaign.departments]
        assert items == [i.name for i in the_campaign.service_items]
        assert areas[0] == the_campaign.province
        day = dt.datetime.combine(the_campaign.window.start, dt.time()) + dt.timedelta(days=10)
        return [[area, departments[i % len(departments)], items[i % len(items)], CATEGORIES[i % 4],
                 f"标题{i}", "做法和成效", day] for i, area in enumerate(areas)]

    rows, out = filled(tmp_path, capsys, "highlights", the_campaign, HIGHLIGHTS, highlights)
    assert out["rows"] == out["valid"] == len(rows) and out["problems"] == []


def test_the_template_has_drop_downs_and_the_instructions_warn_about_personal_data(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "highlights.xlsx"
    assert main(["template", "highlights", str(path), "--campaign", GX.id]) == 0
    book = load_workbook(path)
    form = book.worksheets[0]
    listed = {str(v.sqref).split(":")[0][0] for v in form.data_validations.dataValidation if v.type == "list"}
    assert listed >= {"A", "B", "C", "D"}  # 地区, 部门, 服务项目, 类别
    instructions = " ".join(str(c.value) for row in book["填表说明"].iter_rows() for c in row if c.value)
    assert "身份证号、手机号" in instructions and "不超过500字" in instructions


def test_the_cli_check_prints_masked_values_only(tmp_path, capsys):
    path = write_rows(tmp_path / "亮点.csv", HIGHLIGHTS, one_bad(highlight_row, {"内容": f"电话{MOBILE}"}))
    capsys.readouterr()
    main(["check", str(path), "--campaign", GX.id, "--kind", "highlights", "--json"])
    out = capsys.readouterr().out
    assert "138****5678" in out and MOBILE not in out
