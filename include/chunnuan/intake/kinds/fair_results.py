"""The job-fair results submission (招聘会成效报表): one row per fair a county held.

Counties report what each fair achieved — 参会企业数, 提供岗位数, 进场人数, 达成意向人数, each with
the 脱贫人口 share — through the same intake as the survey (this module's `KIND`). A county's newer
submission is its whole list of fairs held so far (pipeline.load_replacing, owner = county). A fair of
the published rollout plan is named by its 招聘会编号 ("450821-01"); fairs the county held beyond the
plan (an extra 线上 session) leave it blank and still count.
"""

from __future__ import annotations

import pandas as pd
from openpyxl import Workbook

from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign
from chunnuan.intake import normalise, workbook
from chunnuan.intake.gate import Kind
from chunnuan.intake.places import city_codes, county_labels, county_ok, county_status, foreign_provinces
from chunnuan.intake.readers import ROW_NO
from chunnuan.intake.rules import (
    Check,
    at_most,
    at_most_check,
    choice_check,
    count_check,
    county_check,
    date_check,
    day_numbers,
    fixed,
    read_ok,
    required_checks,
    unless_blank,
    window_check,
)
from chunnuan.intake.schema import Column, Prepared, Schema

MODES = ("现场", "直播带岗", "线上")
FAIR_NO = r"\d{6}-\d{2}"  # county code - number in the rollout plan
MAX_COUNT = 1_000_000  # 直播带岗 viewers reach hundreds of thousands
COUNT_FIELDS = ("employers", "positions", "attendance", "attendance_poor", "intentions", "intentions_poor")

FAIR_RESULTS = Schema("fair_results", "招聘会成效报表", (
    Column("county", "县(市、区)", width=18, help="举办招聘会的县(市、区)全称，如「贵港市平南县」",
           aliases=("县区", "举办县(市、区)")),
    Column("fair_no", "招聘会编号", required=False, width=12,
           help="招聘会安排表中的编号，如 450821-01；计划外加办的招聘会留空"),
    Column("fair_name", "招聘会名称", width=28, aliases=("活动名称", "招聘会")),
    Column("fair_date", "举办日期", width=12, help="如 2024-02-20", cell="date"),
    Column("mode", "形式", choices=MODES, width=10, help="现场 / 直播带岗 / 线上"),
    Column("employers", "参会企业数", width=10),
    Column("positions", "提供岗位数", width=10),
    Column("attendance", "进场人数", width=10, help="直播带岗、线上招聘会填观看或登录人次"),
    Column("attendance_poor", "其中脱贫人口", required=False, width=10, help="进场人数中的脱贫人口（含监测对象），空白按 0"),
    Column("intentions", "达成意向人数", width=10),
    Column("intentions_poor", "其中脱贫人口达成意向", required=False, width=12, help="空白按 0"),
    Column("reporting_unit", "填报单位", width=18, help="如「某某县人力资源和社会保障局」"),
    Column("reported_on", "填报日期", width=12, help="如 2024-02-21", cell="date"),
))
BY_FIELD = FAIR_RESULTS.by_field


def prepare(raw: pd.DataFrame, campaign: Campaign) -> Prepared:
    province = divisions.province(campaign.province_code)
    t = {c.field: normalise.text(raw[c.field]) for c in FAIR_RESULTS.columns}
    code, state = county_status(t["county"], province)
    mode = normalise.choice(raw["mode"], {"直播": "直播带岗", "网络": "线上", "线下": "现场"})
    day, reported = normalise.dates(raw["fair_date"]), normalise.dates(raw["reported_on"])
    counts = {f: normalise.small_int(raw[f], default=0, unit="人") for f in COUNT_FIELDS}
    number = t["fair_no"].str.replace(" ", "", regex=False)

    clean = pd.DataFrame({
        "source_row": raw[ROW_NO].astype("int64"),
        "county_code": code,
        "city_code": city_codes(code),
        "fair_no": number,
        "fair_name": t["fair_name"],
        "fair_date": day,
        "mode": mode,
        **counts,
        "reporting_unit": t["reporting_unit"],
        "reported_on": reported,
    })
    checked = pd.DataFrame({
        **{f: t[f] for f in ("county", "fair_name", "fair_date", "employers", "positions", "attendance", "intentions",
                             "reporting_unit", "reported_on")},
        "mode": mode,
        "fair_no": number,
        "_county_ok": county_ok(state),
        "_fair_no_county": (number.str.slice(0, 6) == code).astype("boolean")
        .mask(~number.str.fullmatch(FAIR_NO).fillna(False).astype(bool) | code.isna()),
        "_date_ok": read_ok(day, t["fair_date"]),
        "_day": day_numbers(day),
        "_reported_ok": read_ok(reported, t["reported_on"]),
        **{f"_{f}": unless_blank(counts[f], t[f]) for f in COUNT_FIELDS},
        "_positions_cover": ((counts["positions"] >= counts["employers"]) | (counts["employers"] <= 0))
        .astype("boolean").mask(counts["positions"] < 0),
        "_intentions_within": at_most(counts["intentions"], counts["attendance"]),
        "_attendance_poor_within": at_most(counts["attendance_poor"], counts["attendance"]),
        "_intentions_poor_within": at_most(counts["intentions_poor"], counts["intentions"]),
    })
    return Prepared(clean=clean, checked=checked, raw=raw)


def fair_result_checks(campaign: Campaign) -> list[Check]:
    province_name = divisions.province(campaign.province_code).name
    checks = required_checks(FAIR_RESULTS.columns)
    checks += [
        county_check("county", province_name, "县(市、区)"),
        Check("fair_no_invalid", "fair_no", "fair_no", "regex",
              lambda v, r: f"招聘会编号应为「县代码-序号」，如 450821-01，实际为「{v}」", {"regex": FAIR_NO}),
        Check("fair_no_county", "fair_no", "_fair_no_county", "true",
              fixed("招聘会编号的前6位不是本行县(市、区)的代码，请按招聘会安排表核对编号或县(市、区)")),
        choice_check(BY_FIELD["mode"]),
        date_check("fair_date", "_date_ok", "举办日期", "2024-02-20"),
        window_check("fair_date", "_day", "举办日期", "春风行动招聘会时段", campaign.job_fairs.window),
        date_check("reported_on", "_reported_ok", "填报日期", "2024-02-21"),
        *(count_check(f, BY_FIELD[f].header, 0, MAX_COUNT) for f in COUNT_FIELDS),
        Check("count_inconsistent", "positions", "_positions_cover", "true",
              lambda v, r: f"提供岗位数 {v} 少于参会企业数 {r['employers']}（每家企业至少提供1个岗位）"),
        at_most_check("intentions", "_intentions_within", "达成意向人数", "attendance", "进场人数"),
        at_most_check("attendance_poor", "_attendance_poor_within", "其中脱贫人口", "attendance", "进场人数"),
        at_most_check("intentions_poor", "_intentions_poor_within", "其中脱贫人口达成意向", "intentions", "达成意向人数"),
    ]
    return checks


# --- what the registry uses -----------------------------------------------------------------------

KIND = Kind(FAIR_RESULTS, prepare, fair_result_checks, key=("county_code", "fair_name", "fair_date"),
            order=("reported_on",), foreign=lambda prepared, c: foreign_provinces(prepared, c, "county"))


def build_template(campaign: Campaign | None) -> Workbook:
    lists = {"county": ("县(市、区)选项", county_labels(campaign))} if campaign is not None else {}
    window = campaign.job_fairs.window if campaign is not None else None
    windows = {"fair_date": (window, "春风行动招聘会时段"), "reported_on": (None, "")}
    whole = dict.fromkeys(COUNT_FIELDS, (0, MAX_COUNT))
    rules = [
        "每场招聘会填一行；县(市、区)再次报送时，以最新一份为准（该县原报送的全部行被替换），请每次报送本县已举办的全部招聘会。",
        "招聘会安排表中的招聘会请填写其编号（如 450821-01）；计划外加办的招聘会编号留空。",
        "提供岗位数不少于参会企业数；达成意向人数不超过进场人数；其中脱贫人口不超过对应总数。",
        "直播带岗、线上招聘会的「进场人数」填观看或登录人次。",
    ]
    return workbook.plain_form("招聘会成效报表", "招聘会成效", FAIR_RESULTS.columns, campaign,
                               f"春风行动招聘会时段 {window.label()}" if window else "", lists, windows, whole,
                               "二、审核规则", rules)
