"""The job-fair results submission (招聘会成效报表): one row per fair a county held.

Counties report what each fair achieved — 参会企业数, 提供岗位数, 进场人数, 达成意向人数, each with
the 脱贫人口 share — through the same intake as the survey (`FAIR_RESULT_KIND`). A county's newer
submission is its whole list of fairs held so far (pipeline.load_replacing, owner = county). A fair of
the published rollout plan is named by its 招聘会编号 ("450821-01"); fairs the county held beyond the
plan (an extra 线上 session) leave it blank and still count.
"""

from __future__ import annotations

import pandas as pd

from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign
from chunnuan.intake import normalise
from chunnuan.intake.expectations import Check, date_check, fixed, required_checks
from chunnuan.intake.gate import Kind
from chunnuan.intake.kinds.survey import EPOCH, Prepared, county_reason, county_status, foreign_provinces
from chunnuan.intake.readers import ROW_NO
from chunnuan.intake.schema import Column, Schema

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
    Column("fair_date", "举办日期", width=12, help="如 2024-02-20"),
    Column("mode", "形式", choices=MODES, width=10, help="现场 / 直播带岗 / 线上"),
    Column("employers", "参会企业数", width=10),
    Column("positions", "提供岗位数", width=10),
    Column("attendance", "进场人数", width=10, help="直播带岗、线上招聘会填观看或登录人次"),
    Column("attendance_poor", "其中脱贫人口", required=False, width=10, help="进场人数中的脱贫人口（含监测对象），空白按 0"),
    Column("intentions", "达成意向人数", width=10),
    Column("intentions_poor", "其中脱贫人口达成意向", required=False, width=12, help="空白按 0"),
    Column("reporting_unit", "填报单位", width=18, help="如「某某县人力资源和社会保障局」"),
    Column("reported_on", "填报日期", width=12, help="如 2024-02-21"),
))


def prepare(raw: pd.DataFrame, campaign: Campaign) -> Prepared:
    province = divisions.province(campaign.province_code)
    t = {c.field: normalise.text(raw[c.field]) for c in FAIR_RESULTS.columns}
    code, state = county_status(t["county"], province)
    mode = normalise.choice(raw["mode"], {"直播": "直播带岗", "网络": "线上", "线下": "现场"})
    day, reported = normalise.dates(raw["fair_date"]), normalise.dates(raw["reported_on"])
    counts = {f: normalise.small_int(raw[f], default=0, unit="人") for f in COUNT_FIELDS}
    number = t["fair_no"].str.replace(" ", "", regex=False)

    def at_most(part: str, whole: str) -> pd.Series:
        return (counts[part] <= counts[whole]).astype("boolean").mask((counts[part] < 0) | (counts[whole] < 0))

    clean = pd.DataFrame({
        "source_row": raw[ROW_NO].astype("int64"),
        "county_code": code,
        "city_code": code.map({c: province.city_of(c).code for c in province.counties}),
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
        "_county_ok": (state == "ok").astype("boolean").mask(state.isna()),
        "_fair_no_county": (number.str.slice(0, 6) == code).astype("boolean")
        .mask(~number.str.fullmatch(FAIR_NO).fillna(False).astype(bool) | code.isna()),
        "_date_ok": day.notna().astype("boolean").mask(t["fair_date"].isna()),
        "_day": ((day - EPOCH).dt.days).astype("Int64"),
        "_reported_ok": reported.notna().astype("boolean").mask(t["reported_on"].isna()),
        **{f"_{f}": counts[f].astype("Int64").mask(t[f].isna()) for f in COUNT_FIELDS},
        "_positions_cover": ((counts["positions"] >= counts["employers"]) | (counts["employers"] <= 0))
        .astype("boolean").mask(counts["positions"] < 0),
        "_intentions_within": at_most("intentions", "attendance"),
        "_attendance_poor_within": at_most("attendance_poor", "attendance"),
        "_intentions_poor_within": at_most("intentions_poor", "intentions"),
    })
    return Prepared(clean=clean, checked=checked, raw=raw)


def fair_result_checks(campaign: Campaign) -> list[Check]:
    window = campaign.job_fairs.window
    province_name = divisions.province(campaign.province_code).name
    header = FAIR_RESULTS.by_field
    checks = required_checks(FAIR_RESULTS.columns)
    checks += [
        Check("county_unknown", "county", "_county_ok", "true", county_reason(province_name, "县(市、区)")),
        Check("fair_no_invalid", "fair_no", "fair_no", "regex",
              lambda v, r: f"招聘会编号应为「县代码-序号」，如 450821-01，实际为「{v}」", {"regex": FAIR_NO}),
        Check("fair_no_county", "fair_no", "_fair_no_county", "true",
              fixed("招聘会编号的前6位不是本行县(市、区)的代码，请按招聘会安排表核对编号或县(市、区)")),
        Check("choice_invalid", "mode", "mode", "in_set",
              lambda v, r: f"「形式」只能填 {' / '.join(MODES)}，实际为「{v}」", {"value_set": MODES}),
        date_check("fair_date", "_date_ok", "举办日期", "2024-02-20"),
        Check("date_out_of_window", "fair_date", "_day", "between",
              lambda v, r: f"举办日期「{v}」不在春风行动招聘会时段（{window.label()}）内",
              {"min_value": int((pd.Timestamp(window.start) - EPOCH).days),
               "max_value": int((pd.Timestamp(window.end) - EPOCH).days)}),
        date_check("reported_on", "_reported_ok", "填报日期", "2024-02-21"),
        *(Check("count_invalid", f, f"_{f}", "between",
                lambda v, r, h=header[f].header: f"「{h}」应为 0 至 {MAX_COUNT} 的整数，实际为「{v}」",
                {"min_value": 0, "max_value": MAX_COUNT}) for f in COUNT_FIELDS),
        Check("count_inconsistent", "positions", "_positions_cover", "true",
              lambda v, r: f"提供岗位数 {v} 少于参会企业数 {r['employers']}（每家企业至少提供1个岗位）"),
        Check("count_inconsistent", "intentions", "_intentions_within", "true",
              lambda v, r: f"达成意向人数 {v} 多于进场人数 {r['attendance']}"),
        Check("count_inconsistent", "attendance_poor", "_attendance_poor_within", "true",
              lambda v, r: f"其中脱贫人口 {v} 多于进场人数 {r['attendance']}"),
        Check("count_inconsistent", "intentions_poor", "_intentions_poor_within", "true",
              lambda v, r: f"其中脱贫人口达成意向 {v} 多于达成意向人数 {r['intentions']}"),
    ]
    return checks


FAIR_RESULT_KIND = Kind(FAIR_RESULTS, prepare, fair_result_checks, key=("county_code", "fair_name", "fair_date"),
                        order=("reported_on",), foreign=lambda prepared, c: foreign_provinces(prepared, c, "county"))
