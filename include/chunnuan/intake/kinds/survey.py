"""The demand survey (需求摸排表): the columns a county clerk fills, as DESIGN.md fixes them, how raw cells
become the checked frame, what each check tells a clerk, and the template.

`prepare` builds two frames with the same rows: `clean` (typed values, what gets loaded) and
`checked` (the columns the checks read, including derived facts such as "ID check digit right").
`survey_checks` lists the checks; `expectations` runs them with Great Expectations.
"""

from __future__ import annotations

import re

import pandas as pd
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from chunnuan.common.masking import mask
from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign
from chunnuan.intake import normalise, workbook
from chunnuan.intake.gate import Kind
from chunnuan.intake.normalise import mobile_regex
from chunnuan.intake.places import (
    city_codes,
    county_labels,
    county_ok,
    home_county_reason,
    home_county_status,
    province_full_names,
)
from chunnuan.intake.readers import FILE_NO, ROW_NO
from chunnuan.intake.rules import (
    Check,
    choice_check,
    count_check,
    date_check,
    day_numbers,
    fixed,
    read_ok,
    required_checks,
    window_check,
)
from chunnuan.intake.schema import INSTRUCTIONS_SHEET, OPTIONS_SHEET, YES_NO, Column, Prepared, Schema

NO_GROUP = "否"
GROUP_SEPARATOR = "、"
TRIP_TYPES = ("返乡", "返岗")
JOB_NEEDS = ("无", "本地就业", "外出务工")
MAX_FLEX_DAYS = 15

COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", help="与身份证一致", width=10, aliases=("农民工姓名",)),
    Column("id_number", "身份证号", help="18位居民身份证号码，末位X大写", width=22, pii=True, cell="text",
           aliases=("身份证号码", "公民身份号码", "身份证")),
    Column("phone", "联系电话", help="11位手机号码", width=15, pii=True, cell="text",
           aliases=("手机号码", "手机号", "联系方式", "电话")),
    Column("home_province", "户籍省份", required=False, width=12,
           help="外省户籍可在此填省份全称（或在户籍县一列写全称），本省户籍可不填", aliases=("户籍所在省份", "户籍省")),
    Column("home_county", "户籍县(市、区)", width=18,
           help="写县(市、区)全称，如「某某市某某县」；省内重名的县区务必写明所属市；外省户籍写明省份，如「河南省南阳市宛城区」",
           aliases=("户籍县", "户籍所在县(市、区)", "户籍地", "县(市、区)")),
    Column("home_township", "乡镇(街道)", required=False, width=12, aliases=("乡镇", "户籍乡镇(街道)")),
    Column("priority_groups", "重点群体类别", width=16,
           help="否，或本次行动的重点群体；属于多个的用顿号分隔，如「脱贫人口、就业困难农村劳动力」",
           aliases=("脱贫人口类别", "是否脱贫人口", "脱贫人口", "重点群体", "重点人群", "人员类别")),
    Column("trip_type", "出行类型", choices=TRIP_TYPES, width=10, help="返乡：节前回家；返岗：节后外出务工"),
    Column("travel_date", "计划出行日期", help="如 2024-02-18 或 2024年2月18日", width=14, cell="date",
           aliases=("出行日期", "计划返岗日期", "计划返乡日期")),
    Column("flex_days", "可提前或推迟天数", required=False, help=f"0-{MAX_FLEX_DAYS} 的整数，空白按 0 天", width=10,
           aliases=("可调整天数", "可提前推迟天数")),
    Column("work_province", "务工地省份", help="返岗的目的地、返乡的出发地", width=12, aliases=("务工省份",)),
    Column("work_city", "务工地城市", help="如：深圳市", width=12, aliases=("务工城市",)),
    Column("work_county", "务工地县(市、区)", required=False, width=14, help="务工地城市内的县(市、区)，如「黄岛区」；知道的填写",
           aliases=("务工县(市、区)", "务工地县区", "务工县区")),
    Column("employer", "用人单位", required=False, width=20, aliases=("务工单位", "工作单位")),
    Column("needs_charter", "是否需要点对点包车", choices=YES_NO, width=10,
           aliases=("是否需要包车", "点对点包车")),
    Column("job_need", "就业需求", choices=JOB_NEEDS, width=10),
    Column("desired_trade", "意向工种", required=False, width=12, help="有就业需求时填写"),
    Column("needs_training", "是否需要技能培训", choices=YES_NO, width=10, aliases=("是否需要培训",)),
    Column("training_trade", "培训意向工种", required=False, width=12, help="需要培训时填写"),
    Column("reporting_unit", "填报单位", width=18, help="如「某某县人力资源和社会保障局」"),
    Column("reported_on", "填报日期", width=12, help="如 2024-01-25", cell="date"),
)

BY_FIELD = {c.field: c for c in COLUMNS}
SURVEY = Schema("survey", "需求摸排表", COLUMNS)
HEADERS = SURVEY.headers

CHOICE_ALIASES = {
    "needs_charter": {"需要": "是", "不需要": "否"},
    "needs_training": {"需要": "是", "不需要": "否"},
    "job_need": {"没有": "无", "否": "无"},
}


# Other words clerks use for a priority group, and for "none of them"; an alias counts only where the
# campaign has the group it names.
GROUP_ALIASES = {"防止返贫监测对象": "监测对象", "脱贫户": "脱贫人口", "脱贫劳动力": "脱贫人口", "脱贫人员": "脱贫人口",
                 "就业困难人员": "就业困难农村劳动力", "就业困难劳动力": "就业困难农村劳动力",
                 "低收入人口": "低收入农村劳动力", "低收入劳动力": "低收入农村劳动力", "低收入农户": "低收入农村劳动力"}
NO_GROUP_WORDS = {NO_GROUP, "无", "不是", "非脱贫人口", "一般", "一般人员", "/"}
_GROUP_SPLIT = re.compile(r"[、,，;；/／\s]+")


def _groups_of(value: str, groups: tuple[str, ...]) -> tuple[str, str | None]:
    """One 重点群体类别 cell -> (the groups in campaign order joined by 、 ('' for none), the parts that
    are not the campaign's groups or None)."""
    if value in NO_GROUP_WORDS:
        return "", None
    parts = [GROUP_ALIASES.get(p, p) for p in _GROUP_SPLIT.split(value) if p]
    unknown = [p for p in parts if p not in groups]
    return GROUP_SEPARATOR.join(g for g in groups if g in parts), GROUP_SEPARATOR.join(unknown) or None


def priority_groups(cells: pd.Series, groups: tuple[str, ...]) -> tuple[pd.Series, pd.Series]:
    """The groups each worker belongs to (campaign order, 、-joined, '' for none; <NA> where blank) and the
    words of each cell that name no group of the campaign."""
    values = cells.dropna().unique()
    found = {v: _groups_of(v, groups) for v in values}
    joined = cells.map({v: f[0] for v, f in found.items()}).astype("string")
    unknown = cells.map({v: f[1] for v, f in found.items()}).astype("string")
    return joined, unknown


def has_group(joined: pd.Series, group: str) -> pd.Series:
    """Whether each worker's 、-joined groups (the stored column) include `group`."""
    return (GROUP_SEPARATOR + joined.fillna("") + GROUP_SEPARATOR).str.contains(
        GROUP_SEPARATOR + group + GROUP_SEPARATOR, regex=False)


def _work_places(provinces: pd.Series, cities: pd.Series, counties: pd.Series) -> pd.DataFrame:
    """Per row: the work city's code, and the work county's where the row names one (or the city is a
    county, 昆山市) — with whether a named county lies in that city."""
    keys = pd.DataFrame({"p": provinces, "c": cities, "k": counties}).fillna("")
    unique = keys.drop_duplicates()
    found = {}
    for p, c, k in unique.itertuples(index=False):
        place = divisions.work_place(p, c) if p and c else None
        county = None
        if place is not None and k:
            home = divisions.province(place.province_code)
            county = home.county_names.get(place.name + k) or home.county_names.get(k)
        city = divisions.city_code(place.code) if place is not None else None
        county_ok = None if not k or place is None else county is not None and divisions.city_code(county) == city
        if county is None and place is not None and place.level == "county":
            county = place.code
        found[p, c, k] = (city, county if county_ok is not False else None, county_ok)
    rows = [found[key] for key in zip(keys["p"], keys["c"], keys["k"], strict=True)]
    return pd.DataFrame(rows, columns=["city", "county", "county_ok"], index=provinces.index).astype(
        {"city": "string", "county": "string", "county_ok": "boolean"})


def prepare(raw: pd.DataFrame, campaign: Campaign) -> Prepared:
    province = divisions.province(campaign.province_code)
    t = {c.field: normalise.text(raw[c.field]) for c in COLUMNS if c.field not in ("id_number", "phone")}
    ids = normalise.id_number(raw["id_number"])
    id_from_number = normalise.excel_damaged_ids(raw["id_number"], ids, raw.get(FILE_NO))
    ids_checked = ids.mask(id_from_number)
    phones = normalise.phone(raw["phone"])
    choices = {f: normalise.choice(raw[f], CHOICE_ALIASES.get(f, {})) for f in (
        "trip_type", "needs_charter", "job_need", "needs_training")}
    groups, unknown_groups = priority_groups(t["priority_groups"], tuple(campaign.priority_groups))
    travel = normalise.dates(raw["travel_date"])
    reported = normalise.dates(raw["reported_on"])
    flex = normalise.small_int(raw["flex_days"], default=0)
    county_code, county_state = home_county_status(t["home_county"], t["home_province"], province)

    birth = normalise.id_birth_dates(ids_checked)
    min_birth = pd.Timestamp(campaign.window.start) - pd.DateOffset(years=campaign.intake.min_worker_age)
    provinces = divisions.provinces_by_name()
    work_province_code = t["work_province"].map({n: d.code for n, d in provinces.items()}).astype("string")
    city_key = work_province_code + "|" + t["work_city"]
    work_city_ok = city_key.map(
        {k: k.split("|", 1)[1] in divisions.place_names(k.split("|", 1)[0]) for k in city_key.dropna().unique()}
    ).astype("boolean")
    work = _work_places(t["work_province"].map({n: d.name for n, d in provinces.items()}), t["work_city"],
                        t["work_county"])
    # In scope: home (户籍) or work place in the campaign's province (在鲁的全国农村务工人员 and 本省籍).
    native = county_code.str.startswith(province.code[:2]).astype("boolean")
    in_scope = native | (work_province_code == province.code).astype("boolean")
    served_by = county_code.where(native.fillna(False), work["county"].fillna(work["city"]))
    needs_trade = choices["job_need"].isin(["本地就业", "外出务工"])
    needs_training = choices["needs_training"] == "是"

    checked = pd.DataFrame(
        {
            **{f: t[f] for f in ("name", "home_province", "home_county", "work_province", "work_city", "work_county",
                                 "priority_groups", "reporting_unit")},
            **choices,
            "id_number": ids_checked,
            "phone": phones,
            "travel_date": t["travel_date"],
            "reported_on": t["reported_on"],
            "flex_days": flex,
            "_id_not_number": pd.Series(~id_from_number, dtype="boolean").mask(ids.isna()),
            "_id_checksum": normalise.id_checksum_ok(ids_checked),
            "_id_birth_ok": birth.notna().astype("boolean").mask(
                ~ids_checked.str.fullmatch(r"\d{17}[\dX]").fillna(False).astype(bool)
            ),
            "_age_ok": (birth <= min_birth).astype("boolean").mask(birth.isna()),
            "_county_ok": county_ok(county_state),
            "_in_scope": in_scope.mask(county_code.isna() | work_province_code.isna()),
            "_groups_ok": unknown_groups.isna().astype("boolean").mask(t["priority_groups"].isna()),
            "_work_county_ok": work["county_ok"],
            "_travel_date_ok": read_ok(travel, t["travel_date"]),
            "_travel_day": day_numbers(travel),
            "_reported_on_ok": read_ok(reported, t["reported_on"]),
            "_work_province_ok": read_ok(work_province_code, t["work_province"]),
            "_work_city_ok": work_city_ok,
            "_desired_trade_ok": t["desired_trade"].notna().astype("boolean").mask(~needs_trade),
            "_training_trade_ok": t["training_trade"].notna().astype("boolean").mask(~needs_training),
        }
    )
    clean = pd.DataFrame(
        {
            "source_row": raw[ROW_NO].astype("int64"),
            "id_number": ids,
            "name": t["name"],
            "phone": phones,
            "home_province": t["home_province"],  # for the reasons only: the code says the province
            "home_county_code": county_code,
            "home_city_code": city_codes(county_code),
            "home_township": t["home_township"],
            "priority_groups": groups,
            "unknown_groups": unknown_groups,
            "native": native,
            "trip_type": choices["trip_type"],
            "travel_date": travel,
            "flex_days": flex,
            "work_province": t["work_province"].map({n: d.name for n, d in provinces.items()}),
            "work_city": t["work_city"],
            "work_city_code": work["city"],
            "work_county_code": work["county"],
            "served_by_code": served_by,
            "employer": t["employer"],
            "needs_charter": choices["needs_charter"] == "是",
            "job_need": choices["job_need"],
            "desired_trade": t["desired_trade"],
            "needs_training": needs_training,
            "training_trade": t["training_trade"],
            "reporting_unit": t["reporting_unit"],
            "reported_on": reported,
        }
    )
    return Prepared(clean=clean, checked=checked, raw=raw)


def _city_reason(value, row) -> str:
    return f"务工地城市「{value}」不在{row.get('work_province') or '所填省份'}，请核对省份和城市"


def _scope_reason(province_name: str):
    def reason(value, row) -> str:
        work = f"{row.get('work_province', '')}{row.get('work_city', '')}"
        return (f"户籍地「{value}」和务工地「{work}」都不在{province_name}，不是本次行动的服务对象"
                f"（户籍在{province_name}或在{province_name}务工的农村务工人员）；请核对户籍县和务工地")

    return reason


def _groups_reason(groups: tuple[str, ...]):
    def reason(value, row) -> str:
        # the words not understood, as a message quotes a cell: cut short, a person's number masked
        unknown = mask("priority_groups", normalise.shown_value(row.get("unknown_groups")))
        return (f"重点群体类别中的「{unknown}」不是本次行动的重点群体；应填「{NO_GROUP}」，"
                f"或{'、'.join(groups)}中的一个或几个（用顿号分隔）")

    return reason


def survey_checks(campaign: Campaign) -> list[Check]:
    province = divisions.province(campaign.province_code)
    province_name = province.name
    checks = required_checks(COLUMNS, skip=("id_number",))
    checks.append(Check("missing", "id_number", "_id_not_number", "not_null", fixed("「身份证号」未填写")))
    checks += [
        Check("id_excel_number", "id_number", "_id_not_number", "true",
              fixed("身份证号被 Excel 存成了数字，末几位已丢失；请把该列设为“文本”格式后按证件重新录入")),
        Check("id_format", "id_number", "id_number", "regex",
              lambda v, r: f"身份证号应为18位（前17位数字，末位数字或X），实际为「{v}」", {"regex": r"\d{17}[\dX]"}),
        Check("id_checksum", "id_number", "_id_checksum", "true", fixed("身份证号校验位不对，请与身份证原件逐位核对")),
        Check("id_birth_date", "id_number", "_id_birth_ok", "true", fixed("身份证号中的出生日期不存在，请与身份证原件核对")),
        Check("underage", "id_number", "_age_ok", "true",
              fixed(f"按身份证号计算未满{campaign.intake.min_worker_age}周岁，不属于务工人员服务对象，请核对")),
        Check("phone_invalid", "phone", "phone", "regex",
              lambda v, r: f"联系电话应为11位手机号码，实际为「{v}」", {"regex": mobile_regex()}),
        Check("county_unknown", "home_county", "_county_ok", "true", home_county_reason(province)),
        Check("out_of_scope", "home_county", "_in_scope", "true", _scope_reason(province_name)),
        Check("group_unknown", "priority_groups", "_groups_ok", "true", _groups_reason(tuple(campaign.priority_groups))),
    ]
    checks += [choice_check(BY_FIELD[f]) for f in ("trip_type", "needs_charter", "job_need", "needs_training")]
    checks += [
        date_check("travel_date", "_travel_date_ok", "计划出行日期", "2024-02-18"),
        window_check("travel_date", "_travel_day", "计划出行日期", "本次行动的出行时段", campaign.travel_window),
        count_check("flex_days", BY_FIELD["flex_days"].header, 0, MAX_FLEX_DAYS, column="flex_days",
                    code="flex_invalid"),
        Check("province_unknown", "work_province", "_work_province_ok", "true",
              lambda v, r: f"务工地省份「{v}」无法识别，请写省份全称，如「广东省」"),
        Check("city_unknown", "work_city", "_work_city_ok", "true", _city_reason),
        Check("work_county_unknown", "work_county", "_work_county_ok", "true",
              lambda v, r: f"务工地县(市、区)「{v}」不在{r.get('work_city') or '所填城市'}，请核对或留空"),
        date_check("reported_on", "_reported_on_ok", "填报日期", "2024-01-25"),
        Check("trade_missing", "desired_trade", "_desired_trade_ok", "true",
              fixed("就业需求为「本地就业」或「外出务工」时，请填写「意向工种」")),
        Check("trade_missing", "training_trade", "_training_trade_ok", "true",
              fixed("需要技能培训时，请填写「培训意向工种」")),
    ]
    return checks


# --- the template ---------------------------------------------------------------------------------

SHEET = "需求摸排"


def _lists(campaign: Campaign | None) -> dict[str, tuple[str, list[str]]]:
    lists = {"work_province": ("务工地省份选项", province_full_names())}
    if campaign is not None:
        lists["home_county"] = ("户籍县选项", county_labels(campaign))
        lists["priority_groups"] = ("重点群体选项", [NO_GROUP, *campaign.priority_groups])
    return lists


def _validation(column: Column, campaign: Campaign | None, option_refs: dict[str, str]) -> DataValidation | None:
    """The Excel check for one survey column, or None where Excel cannot help (free text)."""
    if column.choices:
        return workbook.choice_validation(column)
    if column.field == "home_county" and "home_county" in option_refs:
        # A warning, not a stop: workers from other provinces are typed in full (河南省南阳市宛城区).
        province = divisions.province(campaign.province_code).name
        return workbook.list_validation(column, option_refs["home_county"],
                                        f"下拉列表是{province}的县(市、区)，格式如「{county_labels(campaign)[0]}」；"
                                        "外省户籍请写全称，如「河南省南阳市宛城区」。", style="warning")
    if column.field == "priority_groups" and "priority_groups" in option_refs:
        return workbook.list_validation(column, option_refs["priority_groups"],
                                        "属于多个重点群体的，用顿号分隔，如「"
                                        + GROUP_SEPARATOR.join(campaign.priority_groups[:2]) + "」。", style="warning")
    if column.field in ("work_province", "home_province"):
        example = "广东省" if column.field == "work_province" else "河南省"
        return workbook.list_validation(column, option_refs["work_province"],
                                        f"请从下拉列表中选择省份全称，如「{example}」。")
    if column.field == "flex_days":
        return workbook.whole_validation(column, 0, MAX_FLEX_DAYS, f"应为 0 至 {MAX_FLEX_DAYS} 的整数；空白按 0 天。")
    window = campaign.travel_window if campaign is not None else None
    if column.field == "travel_date":
        return workbook.date_validation(column, style="stop", window=window, window_name="出行时段")
    if column.field == "reported_on":
        # The gate does not bound 填报日期, so Excel only warns instead of refusing.
        return workbook.date_validation(column, style="warning", window=window, window_name="出行时段")
    return None


def _write_instructions(sheet: Worksheet, campaign: Campaign | None) -> None:
    writer = workbook.InstructionWriter.on(sheet)
    writer.title(f"{campaign.name}　农民工返乡返岗需求摸排表　填表说明" if campaign
                 else "农民工返乡返岗需求摸排表　填表说明")
    for line in _campaign_lines(campaign):
        writer.paragraph(line)
    writer.heading("一、各列填写要求（表头为红色字的列为必填）")
    writer.table_row(("列名", "必填/选填", "可填的值", "填写说明"), bold=True)
    for column in COLUMNS:
        writer.table_row((column.header, "必填" if column.required else "选填",
                          _allowed_values(column, campaign), column.help or "—"))
    writer.heading("二、审核规则（系统入库时逐行检查，与 chunnuan check 自查结果一致）")
    for number, rule in enumerate(_rules(campaign), start=1):
        writer.paragraph(f"{number}. {rule}")
    writer.heading("三、提交方式")
    for number, step in enumerate(_submission_steps(campaign), start=1):
        writer.paragraph(f"{number}. {step}")
    sheet.sheet_view.showGridLines = False


def _campaign_lines(campaign: Campaign | None) -> list[str]:
    if campaign is None:
        return ["本表为通用模板。生成时指定行动（--campaign）可得到含本省县(市、区)下拉列表、出行时段和联系人的模板。"]
    return [
        f"依据：{campaign.source.document}（{campaign.source.issuer}印发）",
        f"行动时间：{campaign.window.label()}；摸排的计划出行日期须在 {campaign.travel_window.label()} 之间。",
        f"联系人：{workbook.contact_text(campaign)}",
    ]


def _allowed_values(column: Column, campaign: Campaign | None) -> str:
    if column.choices:
        return " / ".join(column.choices) + "（下拉选择）"
    if column.field == "home_county":
        if campaign is None:
            return "本省的县(市、区)写明所属市；外省的写明省份，如「河南省南阳市宛城区」"
        labels = county_labels(campaign)
        return (f"下拉选择{campaign.province}的县(市、区)（共 {len(labels)} 个），如「{labels[0]}」；"
                "外省户籍写全称，如「河南省南阳市宛城区」")
    if column.field == "priority_groups":
        groups = campaign.priority_groups if campaign else ["本次行动的重点群体"]
        return f"{NO_GROUP} / " + " / ".join(groups) + "（下拉选择；属于多个的用顿号分隔）"
    return _FIXED_ALLOWED.get(column.field, "文字").format(
        window=campaign.travel_window.label() if campaign else "本次行动出行时段内", max_flex=MAX_FLEX_DAYS
    )


_FIXED_ALLOWED = {
    "id_number": "18位数字，末位可为X（单元格已设为文本格式）",
    "phone": "11位手机号码（单元格已设为文本格式）",
    "travel_date": "日期：{window}",
    "flex_days": "0至{max_flex}的整数，空白按0天",
    "work_province": "下拉选择省份全称，如「广东省」",
    "home_province": "下拉选择省份全称，如「河南省」；本省户籍可不填",
    "work_county": "务工地城市内的县(市、区)，如「黄岛区」；可不填",
    "work_city": "所填省份内的市或县(区)，如「深圳市」",
    "reported_on": "日期，如 2024-01-25",
}


def _rules(campaign: Campaign | None) -> list[str]:
    window = f"本次行动的出行时段（{campaign.travel_window.label()}）" if campaign else "本次行动规定的出行时段"
    bad_share = f"{campaign.intake.max_bad_row_share:.0%}" if campaign else "规定比例"
    min_age = f"{campaign.intake.min_worker_age}周岁" if campaign else "规定的最低务工年龄"
    province = campaign.province if campaign else "本省"
    return [
        "每位务工人员填一行，不要合并单元格，不要在表头上方或数据中间插入标题、小计行；不要删除、改名或调换表头。",
        "身份证号须为18位，末位校验码须正确（末位X请大写），请与身份证原件逐位核对；"
        "该列已设为“文本”格式，请勿改为数字格式，否则末几位会丢失。",
        f"按身份证号计算须年满{min_age}。",
        "联系电话须为11位手机号码。",
        f"服务对象：户籍在{province}，或在{province}务工的农村务工人员（户籍地和务工地都不在{province}的不属于本次行动）。",
        f"户籍县(市、区)：{province}的县(市、区)重名的须写明所属市；外省户籍须写明省份，"
        "如「河南省南阳市宛城区」（也可在「户籍省份」一列填省份）。",
        "重点群体类别填「否」或本次行动的重点群体，属于多个的用顿号分隔；务工地县(市、区)须在所填务工地城市内。",
        "务工地省份写全称；务工地城市须在所填省份内（返岗填目的地，返乡填出发地）。",
        f"计划出行日期须在{window}内；日期请写成 2024-02-18 这样的格式。",
        "就业需求为「本地就业」或「外出务工」时须填写意向工种；需要技能培训时须填写培训意向工种。",
        "同一人（身份证号相同）重复填报的，以填报日期较晚的一行为准（同一天的以靠后的一行为准），其余行按重复合并。",
        "有问题的行单独退回（每行附原因），其余行正常入库；"
        f"有问题的行超过全部行数的{bad_share}，或多数行的户籍地和务工地都不在{province}时，整份文件退回，请修改后重新提交。",
    ]


def _submission_steps(campaign: Campaign | None) -> list[str]:
    check = f"chunnuan check 文件名.xlsx --campaign {campaign.id}" if campaign else "chunnuan check 文件名.xlsx --campaign 行动编号"
    contact = workbook.contact_text(campaign) if campaign else "本级人力资源社会保障部门"
    return [
        f"在「{SHEET}」工作表第 {workbook.FIRST_DATA_ROW} 行起逐行填写（已预设 {workbook.PREFORMATTED_ROWS} 行格式，"
        "超出时可分多个文件提交），保存为 .xlsx 格式，文件名建议为「县(市、区)名_填报日期.xlsx」。",
        f"提交前可用 {check} 自查，结果与系统审核一致。",
        "按行动办要求报送文件；系统审核后将问题清单（第几行、哪一列、原因）反馈给填报单位，"
        "请按清单修改后重新提交（同一人以填报日期较晚的为准，不会重复统计）。",
        f"如有疑问请联系：{contact}。",
    ]


# --- what the registry uses -----------------------------------------------------------------------

def out_of_scope_provinces(prepared: Prepared, campaign: Campaign) -> pd.Series:
    """Per row: the home province of a worker neither from nor working in the campaign's province, else
    <NA> (a file of mostly such rows is another province's)."""
    codes = prepared.clean["home_county_code"].where(prepared.checked["_in_scope"].eq(False).fillna(False))
    names = {c: divisions.province(c[:2] + "0000").name for c in codes.dropna().unique()}
    return codes.map(names).astype("string")


KIND = Kind(SURVEY, prepare, survey_checks, key=("id_number",), order=("reported_on",), foreign=out_of_scope_provinces)


def build_template(campaign: Campaign | None) -> Workbook:
    book = workbook.new_workbook("农民工返乡返岗需求摸排表", campaign)
    survey = book.active
    survey.title = SHEET
    instructions = book.create_sheet(INSTRUCTIONS_SHEET)
    options = book.create_sheet(OPTIONS_SHEET)

    option_refs = workbook.write_options(options, _lists(campaign))
    workbook.write_header(survey, COLUMNS)
    workbook.format_data_cells(survey, COLUMNS)
    for column in COLUMNS:
        validation = _validation(column, campaign, option_refs)
        if validation is not None:
            validation.add(workbook.data_range(column, COLUMNS))
            survey.add_data_validation(validation)
    _write_instructions(instructions, campaign)
    book.active = 0
    return book
