"""The transport-subsidy county rosters from a Guangxi survey loaded through the real intake, on SQLite and
PostgreSQL: each county's file lists exactly the workers a direct SQL query finds, with the banded amounts,
and nothing the command prints names a person."""

from __future__ import annotations

import json

from openpyxl import load_workbook
from sqlalchemy import text

from chunnuan import db
from chunnuan.cli import main
from chunnuan.config import campaign
from chunnuan.intake.batches import load_validated, register_files, validate_batch
from tests.support.rows import make_id, valid_row, write_csv

GX = campaign.load("guangxi-2024")
PINGNAN, WUMING = "450821", "450110"

# Eligible: native, 脱贫人口 or 监测对象 (alone or among others), work province outside Guangxi; amount by band.
ELIGIBLE_SQL = """
SELECT home_county_code, id_number,
       CASE WHEN work_province IN ('广东省', '湖南省', '贵州省', '云南省', '海南省') THEN 500
            WHEN work_province IN ('河北省', '北京市', '新疆维吾尔自治区') THEN 1000 ELSE 800 END AS amount
FROM survey_worker
WHERE campaign_id = :cid AND native AND work_province <> '广西壮族自治区'
  AND ('、' || priority_groups || '、' LIKE '%、脱贫人口、%' OR '、' || priority_groups || '、' LIKE '%、监测对象、%')
"""


def gx_row(seq: int, county: str, home: str, group: str, province: str, city: str, **more) -> dict[str, str]:
    return valid_row(seq, **{"姓名": f"工友{seq:02d}", "身份证号": make_id(county=county, seq=seq),
                             "户籍县(市、区)": home, "重点群体类别": group, "务工地省份": province,
                             "务工地城市": city, **more})


def load_survey(url, tmp_path) -> None:
    rows = [
        gx_row(1, PINGNAN, "贵港市平南县", "脱贫人口", "广东省", "深圳市"),      # 邻省 500
        gx_row(2, PINGNAN, "贵港市平南县", "监测对象", "浙江省", "杭州市"),      # 其他省份 800
        gx_row(3, PINGNAN, "贵港市平南县", "否", "广东省", "深圳市"),           # not in a group
        gx_row(4, PINGNAN, "贵港市平南县", "脱贫人口", "广西壮族自治区", "南宁市"),  # works in Guangxi
        gx_row(5, WUMING, "南宁市武鸣区", "脱贫人口", "河北省", "石家庄市"),     # 远途省份 1000
        gx_row(6, WUMING, "南宁市武鸣区", "监测对象", "广东省", "广州市"),       # 邻省 500
        gx_row(7, "430102", "长沙市芙蓉区", "脱贫人口", "广西壮族自治区", "南宁市", 户籍省份="湖南省"),  # 外省籍
    ]
    engine = db.engine(url)
    [batch] = register_files(engine, GX, [write_csv(tmp_path / "平南县.csv", rows)])["new"]
    validate_batch(engine, GX, batch.batch_id, batch.path)
    [counts] = load_validated(engine, GX)["batches"]
    assert counts["rows_loaded"] == len(rows)


def roster_rows(path) -> list[dict]:
    sheet = load_workbook(path, read_only=True)["补助名单"]
    header, *body = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, r, strict=True)) for r in body]


def test_county_rosters_equal_a_direct_sql_count(db_url, chunnuan_home, tmp_path, capsys):
    load_survey(db_url, tmp_path)
    with db.engine(db_url).connect() as conn:
        expected = [tuple(r) for r in conn.execute(text(ELIGIBLE_SQL), {"cid": GX.id})]
    assert sorted(a for _, _, a in expected) == [500, 500, 800, 1000]  # the hand-checked cases above

    assert main(["subsidy", "--campaign", GX.id, "--url", db_url, "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)

    assert (figures["eligible"], figures["amount"]) == (4, 2800)
    assert figures["excluded"] == {"非本省户籍（外省籍在本省务工）": 1, "不属于补助对象群体": 1,
                                   "在本省内务工，非跨省就业": 1}
    folder = chunnuan_home / "outputs" / GX.id / "subsidy" / "counties"
    files = sorted(p.name for p in folder.glob("*.xlsx"))
    assert files == [f"{WUMING}_南宁市武鸣区.xlsx", f"{PINGNAN}_贵港市平南县.xlsx"]
    for county in figures["counties"]:
        listed = roster_rows(folder / county["file"])
        want = sorted((i, a) for c, i, a in expected if c == county["county_code"])
        assert sorted((r["身份证号"], r["补助标准（元）"]) for r in listed) == want
        assert (county["eligible"], county["amount"]) == (len(want), sum(a for _, a in want))
        assert all("满3个月" in r["需核验材料"] and r["联系电话"] for r in listed)
    rules = dict(list(load_workbook(folder / files[1], read_only=True)["说明"].iter_rows(values_only=True))[1:])
    assert rules["本县名单"] == "2人，合计1300元" and "邻省：500元" in rules["补助标准"]

    # A re-run replaces the rosters (a county with nobody left keeps no old file); the plain summary names
    # counties and sums, never a person.
    (folder / "450999_旧名单.xlsx").write_bytes(b"")
    assert main(["subsidy", "--campaign", GX.id, "--url", db_url]) == 0
    out = capsys.readouterr().out
    assert "合计 2,800 元" in out and "贵港市平南县：2 人，1,300 元" in out
    assert not any(i in out for _, i, _ in expected) and "工友" not in out
    assert sorted(p.name for p in folder.glob("*.xlsx")) == files


def test_a_campaign_without_subsidy_rules_writes_nothing(db_url, chunnuan_home, capsys):
    assert main(["subsidy", "--campaign", "shandong-2024", "--url", db_url]) == 0
    assert "未设跨省就业交通补助规则" in capsys.readouterr().out
    assert not (chunnuan_home / "outputs").exists()


def claim(seq: int, county: str, home: str, year: int = 2024, paid: int | None = None, **more) -> dict[str, str]:
    """A claims-return row for worker `seq` (gx_row's ID), verified, paid `paid` 元 (None: not paid yet)."""
    return {"户籍县(市、区)": home, "姓名": f"工友{seq:02d}", "身份证号": make_id(county=county, seq=seq),
            "申领年度": str(year), "证明材料": "劳动合同", "核验通过": "是",
            "公示日期": f"{year}-03-01" if paid else "", "发放日期": f"{year}-03-15" if paid else "",
            "发放金额(元)": str(paid) if paid else "", **more}


def test_claims_returns_are_checked_conserved_and_counted_per_county(db_url, chunnuan_home, tmp_path):
    from chunnuan.intake import registry
    from chunnuan.subsidy.figures import county_figures
    from chunnuan.subsidy.steps import publish_rosters
    from tests.support.jobs import write_rows
    from tests.support.returns_db import submit

    load_survey(db_url, tmp_path)
    engine = db.engine(db_url)
    publish_rosters(engine, GX)
    schema = registry.gate_kind("subsidy_claims").schema
    earlier_years = [claim(n, PINGNAN, "贵港市平南县", year=y, paid=(500, 800)[n - 1]) for y in (2022, 2023) for n in (1, 2)]
    pingnan = [claim(1, PINGNAN, "贵港市平南县", paid=500), claim(2, PINGNAN, "贵港市平南县"), *earlier_years,
               claim(1, PINGNAN, "贵港市平南县", year=2021),
               claim(3, PINGNAN, "贵港市平南县", paid=500),   # not in a group: not eligible
               claim(5, WUMING, "贵港市平南县", paid=800),    # 远途 band: 1000 元
               claim(6, WUMING, "贵港市平南县", paid=500)]    # paid by 平南 first
    wuming = [claim(5, WUMING, "南宁市武鸣区", paid=1000), claim(5, WUMING, "南宁市武鸣区", year=2023, paid=1000),
              claim(6, WUMING, "南宁市武鸣区", year=2023, paid=500), claim(1, PINGNAN, "南宁市武鸣区"),
              claim(6, WUMING, "南宁市武鸣区", paid=500)]     # 2024 already paid by 平南
    first = submit(db_url, write_rows(tmp_path / "平南-申领.csv", schema, pingnan), "subsidy_claims")
    second = submit(db_url, write_rows(tmp_path / "武鸣-申领.csv", schema, wuming), "subsidy_claims")
    assert (first["loaded"], second["loaded"]) == (8, 4)
    codes = [r[0] for r in _rows(db_url, "SELECT codes FROM quarantined_row q JOIN submission_batch b ON b.id = "
                                         "q.batch_id WHERE b.kind = 'subsidy_claims' ORDER BY q.batch_id, q.source_row")]
    assert codes == ["not_eligible", "amount_wrong", "paid_twice"]

    # 平南's corrected return replaces its list; nobody is paid twice in a year, whichever county paid.
    fixed = [claim(1, PINGNAN, "贵港市平南县", paid=500), claim(2, PINGNAN, "贵港市平南县", paid=800),
             claim(6, WUMING, "贵港市平南县", paid=500)]
    assert submit(db_url, write_rows(tmp_path / "平南-申领-更正.csv", schema, fixed), "subsidy_claims")["merged"] == 8
    assert _rows(db_url, "SELECT id_number, claim_year FROM subsidy_claim WHERE paid_on IS NOT NULL "
                         "GROUP BY id_number, claim_year HAVING COUNT(*) > 1") == []
    batches = _rows(db_url, "SELECT rows_read, rows_loaded, rows_quarantined, rows_merged FROM submission_batch "
                            "WHERE kind = 'subsidy_claims' ORDER BY id")
    assert batches == [(10, 0, 2, 8), (5, 4, 1, 0), (3, 3, 0, 0)]

    # The report's figures per county equal counts made straight from the tables.
    got = county_figures(engine, GX).set_index("county_code")
    eligible = _rows(db_url, ELIGIBLE_SQL, cid=GX.id)
    for code in (PINGNAN, WUMING):
        mine = [amount for county, _, amount in eligible if county == code]
        claims = _rows(db_url, "SELECT COUNT(*), SUM(CASE WHEN verified THEN 1 ELSE 0 END), COUNT(paid_on), "
                               "COALESCE(SUM(CASE WHEN paid_on IS NOT NULL THEN amount END), 0) FROM subsidy_claim "
                               "WHERE county_code = :c", c=code)[0]
        assert tuple(got.loc[code, ["eligible", "eligible_amount", "claims", "verified", "paid", "paid_amount"]]) == (
            len(mine), sum(mine), *claims)
    assert tuple(got.loc[PINGNAN, ["paid", "paid_amount"]]) == (3, 1800)


def _rows(url, sql, **params) -> list[tuple]:
    with db.engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]
