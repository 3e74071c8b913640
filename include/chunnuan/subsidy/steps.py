"""The county rosters of the transport subsidy: read the survey from the campaign DB, write one XLSX per home
county (本省籍 only, so the home county serves them) under outputs/<campaign>/subsidy/counties/. The rosters
hold names, ID numbers and phones: the county needs them to check and pay. They stay in the system; what this
returns (and what the CLI prints) is counts and amounts only."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.engine import Engine

from chunnuan.common.sheets import safe_file_name, write_sheet
from chunnuan.config import divisions, settings
from chunnuan.config.campaign import Campaign, SubsidyRules
from chunnuan.db.models import SurveyWorker
from chunnuan.subsidy.roster import EXCLUSIONS, eligibility, evidence_words, rules_of

ROSTER_COLUMNS = {"seq": "序号", "name": "姓名", "id_number": "身份证号", "phone": "联系电话",
                  "home_township": "乡镇(街道)", "priority_groups": "重点群体类别", "work_place": "务工地",
                  "employer": "用人单位", "band": "补助档次", "amount": "补助标准（元）", "evidence": "需核验材料"}


def read_workers(engine: Engine, campaign: Campaign) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(select(
            SurveyWorker.id_number, SurveyWorker.name, SurveyWorker.phone, SurveyWorker.home_county_code,
            SurveyWorker.home_township, SurveyWorker.priority_groups, SurveyWorker.native, SurveyWorker.work_province,
            SurveyWorker.work_city, SurveyWorker.employer,
        ).where(SurveyWorker.campaign_id == campaign.id).order_by(SurveyWorker.id_number), conn)


def rules_sheet(campaign: Campaign, rules: SubsidyRules, county: pd.DataFrame) -> pd.DataFrame:
    """The 说明 sheet: the rules the roster follows, so the clerk need not look them up."""
    bands = [f"{b.name}：{b.amount}元（{'、'.join(b.provinces)}）" for b in rules.bands]
    bands.append(f"{rules.default_band}：{rules.default_amount}元")
    lines = [
        ("名单性质", "候选名单：由摸排数据筛出，县级核验材料、公示后发放至本人社会保障卡"),
        ("依据", f"{campaign.source.document}；{rules.basis}"),
        ("补助对象", f"本省户籍的{'、'.join(rules.groups)}（任一即可），在省外务工"),
        ("就业时长", f"在省外稳定就业满{rules.min_months_employed}个月"),
        ("享受次数", f"每人每年{rules.claims_per_year}次"),
        ("补助标准", "；".join(bands)),
        ("需核验材料", evidence_words(rules)),
        ("本县名单", f"{len(county)}人，合计{int(county['amount'].sum())}元"),
    ]
    return pd.DataFrame(lines, columns=["item", "text"])


def _register(campaign: Campaign, workers: pd.DataFrame, found) -> None:
    """Every surveyed worker's eligibility, for the claims-return gate (subsidy.register)."""
    from chunnuan.subsidy import register

    listed = workers[["id_number", "home_county_code"]].merge(
        found.eligible[["id_number", "band", "amount"]], on="id_number", how="left")
    listed["eligible"] = listed["amount"].notna()
    listed["reason"] = found.reasons.to_numpy()  # merge kept the workers' order
    register.write_roster(campaign.id, listed.assign(amount=listed["amount"].fillna(0).astype("int64"),
                                                     band=listed["band"].fillna("")))


def publish_rosters(engine: Engine, campaign: Campaign, out_dir: Path | None = None) -> dict:
    """Write the county rosters (replacing the previous run's) and return the figures, without PII."""
    rules = rules_of(campaign)
    workers = read_workers(engine, campaign)
    found = eligibility(workers, campaign)
    _register(campaign, workers, found)
    roster = found.eligible.assign(
        work_place=found.eligible["work_province"] + found.eligible["work_city"],
        evidence=evidence_words(rules),
    ).sort_values(["home_county_code", "name", "id_number"], kind="stable")
    folder = Path(out_dir or settings.outputs_dir(campaign.id, "subsidy")) / "counties"
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.xlsx"):  # a county with nobody left this time keeps no old roster
        stale.unlink()

    counties = []
    for code, county in roster.groupby("home_county_code", sort=True):
        label = divisions.place_label(code)
        county = county.assign(seq=range(1, len(county) + 1))
        book = Workbook()
        book.remove(book.active)
        write_sheet(book, "补助名单", county, ROSTER_COLUMNS)
        write_sheet(book, "说明", rules_sheet(campaign, rules, county), {"item": "项目", "text": "内容"})
        path = folder / f"{code}_{safe_file_name(label)}.xlsx"
        book.save(path)
        counties.append({"county_code": code, "county": label, "eligible": len(county),
                         "amount": int(county["amount"].sum()),
                         "by_band": {str(k): int(v) for k, v in county["band"].value_counts().sort_index().items()},
                         "file": path.name})
    return {"campaign": campaign.id, "eligible": len(roster), "amount": int(roster["amount"].sum()),
            "excluded": {EXCLUSIONS[k]: v for k, v in found.excluded.items()}, "counties": counties,
            "folder": str(folder)}
