"""The claims return of the transport subsidy (补助申领核验表): what a county checked and paid, one row per claim.

Guangxi's notice asks to 落实脱贫人口跨省就业一次性往返交通补助. The county works from its roster (subsidy.steps),
checks the evidence, posts the list (公示) and pays to the 社保卡; this form brings back, per claim: the person,
the claim year, the evidence seen, whether it was verified, the 公示 date, the date and amount paid.

Checked against the files the system keeps (subsidy.register): the person must be eligible under the campaign's
rules (the reason is named when not), the amount paid must be the configured one for the person's band, and a
person is paid at most `claims_per_year` times a year across all counties — a row that would pay someone another
county already paid that year (or an earlier file of the same run did) is quarantined, naming who paid. A county's
newer return replaces its whole earlier list (owner = county_code).
"""

from __future__ import annotations

import pandas as pd
from openpyxl import Workbook

from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign
from chunnuan.intake import normalise, workbook
from chunnuan.intake.gate import Kind
from chunnuan.intake.places import city_codes, county_labels, county_ok, county_status
from chunnuan.intake.readers import FILE_NO, ROW_NO
from chunnuan.intake.rules import (
    Check,
    count_check,
    county_check,
    date_check,
    fixed,
    in_order,
    order_check,
    read_ok,
    required_checks,
)
from chunnuan.intake.schema import YES_NO, Column, Prepared, Schema
from chunnuan.subsidy import register

CLAIMS = Schema("subsidy_claims", "补助申领核验表", (
    Column("county", "户籍县(市、区)", width=18, help="申领人户籍所在县，如「贵港市平南县」"),
    Column("name", "姓名", width=10),
    Column("id_number", "身份证号", width=22, pii=True, cell="text"),
    Column("claim_year", "申领年度", width=10, help="补助所属年度，如 2024"),
    Column("evidence", "证明材料", required=False, width=16, help="核验的材料，从下拉列表选择；未核验的留空"),
    Column("verified", "核验通过", choices=YES_NO, width=10),
    Column("posted_on", "公示日期", required=False, width=12, cell="date", help="公示开始日期；未公示的留空"),
    Column("paid_on", "发放日期", required=False, width=12, cell="date", help="发放到社会保障卡的日期；未发放的留空"),
    Column("amount", "发放金额(元)", required=False, width=12, help="实际发放金额；未发放的留空"),
))
BY_FIELD = CLAIMS.by_field
YEARS = (2000, 2099)


def evidence_types(campaign: Campaign) -> tuple[str, ...]:
    return tuple(campaign.subsidy.evidence) if campaign.subsidy else ()


def _paid_elsewhere(clean: pd.DataFrame, paid_before: pd.DataFrame, per_year: int) -> pd.Series:
    """Where a paid row would be the person's (per_year + 1)-th payment of that year by another county: counting
    what other counties were paid before (the register) and, in this run, other counties' rows of earlier files.
    (A county's own earlier rows are what its return replaces; its own repeated row is a duplicate.)"""
    paid = clean["paid_on"].notna() & clean["id_number"].notna() & clean["claim_year"].ge(0)
    key = clean["id_number"].fillna("") + "|" + clean["claim_year"].astype("string").fillna("")
    before = paid_before.assign(key=paid_before["id_number"] + "|" + paid_before["claim_year"].astype(str))
    others = pd.Series(0, index=clean.index)
    for county in clean.loc[paid, "county_code"].dropna().unique():
        mine = paid & (clean["county_code"] == county)
        counts = before.loc[before["county_code"] != county, "key"].value_counts()
        others[mine] = key[mine].map(counts).fillna(0).astype(int)
    repeated = paid & key.duplicated(keep=False)
    for _, rows in clean[repeated].groupby(key[repeated]):
        for i, row in rows.iterrows():
            earlier = rows[(rows[FILE_NO] < row[FILE_NO]) & (rows["county_code"] != row["county_code"])]
            others[i] += len(earlier)
    return (others >= per_year) & paid


def prepare(raw: pd.DataFrame, campaign: Campaign) -> Prepared:
    t = {c.field: normalise.text(raw[c.field]) for c in CLAIMS.columns}
    province = divisions.province(campaign.province_code)
    code, state = county_status(t["county"], province)
    ids = normalise.id_number(raw["id_number"])
    year = normalise.small_int(raw["claim_year"], default=-1, unit="年")
    verified = normalise.choice(raw["verified"], {"通过": "是", "不通过": "否", "未通过": "否"})
    posted, paid_on = normalise.dates(raw["posted_on"]), normalise.dates(raw["paid_on"])
    amount = normalise.small_int(raw["amount"], default=-1, unit="元")
    evidence = t["evidence"]

    roster = register.roster(campaign.id)
    known = roster.set_index("id_number") if roster is not None else pd.DataFrame(
        columns=["eligible", "reason", "band", "amount"])
    listed = ids.isin(known.index)
    eligible = ids.map(known["eligible"]).astype("boolean")
    due = ids.map(known["amount"]).astype("Int64")
    rules = campaign.subsidy
    clean = pd.DataFrame({
        "source_row": raw[ROW_NO].astype("int64"),
        FILE_NO: raw[FILE_NO].to_numpy() if FILE_NO in raw else 0,
        "county_code": code,
        "city_code": city_codes(code),
        "id_number": ids,
        "name": t["name"],
        "claim_year": year,
        "band": ids.map(known["band"]),
        "evidence": evidence,
        "verified": verified == "是",
        "posted_on": posted,
        "paid_on": paid_on,
        "amount": amount.where(t["amount"].notna()).astype("Int64"),
    })
    twice = _paid_elsewhere(clean, register.paid(campaign.id), rules.claims_per_year if rules else 1)
    is_paid = paid_on.notna()
    checked = pd.DataFrame({
        **{f: t[f] for f in ("county", "name", "claim_year")},
        "id_number": ids,
        "verified": verified,
        "evidence": evidence.where(verified == "是", "-"),  # required only where verified
        "posted_on": t["posted_on"].where(is_paid, "-"),
        "amount": t["amount"].where(is_paid, "-"),
        "_county_ok": county_ok(state),
        "_id_checksum": normalise.id_checksum_ok(ids),
        "_year": year.astype("Int64").mask(t["claim_year"].isna()),
        "_evidence": evidence,
        "_eligible": (listed & eligible.fillna(False)).astype("boolean").mask(ids.isna()),
        "_posted_ok": read_ok(posted, t["posted_on"]),
        "_paid_ok": read_ok(paid_on, t["paid_on"]),
        "_paid_after_posted": in_order(posted, paid_on),
        "_paid_verified": (verified == "是").astype("boolean").where(is_paid),
        "_amount_ok": (amount == due).astype("boolean").where(is_paid & t["amount"].notna() & due.notna()
                                                              & listed & eligible.fillna(False)),
        "_once": (~twice).astype("boolean"),
    })
    return Prepared(clean=clean.drop(columns=FILE_NO), checked=checked, raw=raw)


def claim_checks(campaign: Campaign) -> list[Check]:
    rules = campaign.subsidy
    province = divisions.province(campaign.province_code).name
    per_year = rules.claims_per_year if rules else 1
    paid_rows = register.paid(campaign.id)
    roster = register.roster(campaign.id)
    known = roster.set_index("id_number") if roster is not None else None

    def not_eligible(value, row) -> str:
        if rules is None:
            return f"{campaign.province}{campaign.name}未设跨省就业交通补助，不需报送本表"
        if known is None:
            return "尚未生成补助候选名单（chunnuan subsidy），无法核对申领人，请联系行动协调员"
        number = row["id_number"]
        if number not in known.index:
            return f"身份证号「{value}」不在需求摸排数据中，不能列入补助"
        return f"不符合补助条件：{known.at[number, 'reason']}"

    def wrong_amount(value, row) -> str:
        number = row["id_number"]
        band, due = known.at[number, "band"], int(known.at[number, "amount"])
        return f"发放金额「{value}」元与补助标准不符：该人务工地属「{band}」档，应为 {due} 元"

    def twice(value, row) -> str:
        same = paid_rows[(paid_rows["id_number"] == row["id_number"])
                         & (paid_rows["claim_year"] == row["claim_year"])
                         & (paid_rows["county_code"] != row["county_code"])]
        by = "、".join(f"{divisions.place_label(c)}（{str(d)[:10]}）" for c, d in zip(same["county_code"], same["paid_on"],
                                                                                 strict=True)) or "本次报送中的其他行或文件"
        return f"该人 {row['claim_year']} 年度的补助已由{by}发放，每人每年限 {per_year} 次，本行不能再发放"

    evidence = evidence_types(campaign)
    return [
        *required_checks(CLAIMS.columns),
        county_check("county", province),
        Check("id_format", "id_number", "id_number", "regex", lambda v, r: f"身份证号应为18位，实际为「{v}」",
              {"regex": r"\d{17}[\dX]"}),
        Check("id_checksum", "id_number", "_id_checksum", "true", fixed("身份证号校验位不对，请与身份证原件逐位核对")),
        count_check("claim_year", "申领年度", *YEARS, column="_year"),
        Check("choice_invalid", "verified", "verified", "in_set",
              lambda v, r: f"「核验通过」只能填 是 / 否，实际为「{v}」", {"value_set": YES_NO}),
        Check("missing", "evidence", "evidence", "not_null", fixed("核验通过的须填写「证明材料」")),
        Check("choice_invalid", "evidence", "_evidence", "in_set",
              lambda v, r: f"「证明材料」只能填 {' / '.join(evidence)}，实际为「{v}」", {"value_set": evidence}),
        Check("not_eligible", "id_number", "_eligible", "true", not_eligible),
        date_check("posted_on", "_posted_ok", "公示日期", "2024-03-01"),
        date_check("paid_on", "_paid_ok", "发放日期", "2024-03-15"),
        Check("missing", "posted_on", "posted_on", "not_null", fixed("已发放的须填写「公示日期」（先公示、后发放）")),
        order_check("paid_on", "_paid_after_posted", "发放日期", "公示日期"),
        Check("claim_unverified_paid", "paid_on", "_paid_verified", "true", fixed("核验未通过，不能发放")),
        Check("missing", "amount", "amount", "not_null", fixed("已发放的须填写「发放金额(元)」")),
        Check("amount_wrong", "amount", "_amount_ok", "true", wrong_amount),
        Check("paid_twice", "paid_on", "_once", "true", twice),
    ]


# --- the template ---------------------------------------------------------------------------------

RULES = [
    "每位申领人每个年度填一行；核验材料、公示后发放的，填写公示日期、发放日期和金额。",
    "申领人须在补助候选名单中（本省户籍、属于补助对象群体、在省外务工）；不在名单中的行将退回并写明原因。",
    "发放金额须与该人务工地所属档次的补助标准一致。",
    "每人每年只能享受一次：其他县（市、区）已发放的，本行将退回并写明由哪个县发放。",
    "同一县再次报送时，以最新一份为准（该县原报送的全部行被替换）。",
]


def build_template(campaign: Campaign | None) -> Workbook:
    lists = {}
    if campaign is not None:
        lists = {"county": ("县(市、区)选项", county_labels(campaign))}
        if campaign.subsidy:
            lists["evidence"] = ("证明材料选项", list(evidence_types(campaign)))
    return workbook.plain_form("跨省就业交通补助申领核验表", "补助申领核验", CLAIMS.columns, campaign,
                               f"行动时段 {campaign.window.label()}" if campaign else "", lists,
                               {"posted_on": (None, ""), "paid_on": (None, "")}, {"claim_year": YEARS},
                               "二、填报与核验规则", RULES)


KIND = Kind(CLAIMS, prepare, claim_checks, key=("county_code", "id_number", "claim_year"))
