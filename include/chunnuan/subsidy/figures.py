"""The transport subsidy in the report: per county and city, who may claim (the roster rules on the survey),
how many claims the county verified, paid, and for how much (the claims returns). Figures only."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, text

from chunnuan.common import sql
from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign

FIGURES = {"eligible": "补助候选(人)", "eligible_amount": "候选应发(元)", "claims": "申领(人)", "verified": "核验通过(人)",
           "paid": "已发放(人)", "paid_amount": "已发放金额(元)"}


def county_figures(engine: Engine, campaign: Campaign) -> pd.DataFrame | None:
    """One row per county with candidates or claims (county_code, city_code, city, county, FIGURES); None when
    the campaign has no subsidy."""
    from chunnuan.subsidy.roster import eligibility
    from chunnuan.subsidy.steps import read_workers

    if campaign.subsidy is None:
        return None
    found = eligibility(read_workers(engine, campaign), campaign).eligible
    eligible = found.groupby("home_county_code").agg(eligible=("id_number", "size"), eligible_amount=("amount", "sum"))
    with engine.connect() as conn:
        claims = pd.read_sql(text(sql.load("report_subsidy_claims.sql")), conn,
                             params={"campaign_id": campaign.id, "yes": True}).set_index("county_code")
    out = eligible.join(claims, how="outer").fillna(0).astype("int64").rename_axis("county_code").reset_index()
    province = divisions.province(campaign.province_code)
    out["city_code"] = [province.city_of(c).code if c in province.counties else c for c in out["county_code"]]
    out["city"] = [province.cities[c].name if c in province.cities else c for c in out["city_code"]]
    out["county"] = [divisions.place_label(c) for c in out["county_code"]]
    return out[["county_code", "city_code", "city", "county", *FIGURES]]


def city_figures(counties: pd.DataFrame) -> pd.DataFrame:
    return counties.groupby(["city_code", "city"], sort=True)[list(FIGURES)].sum().reset_index()


def sentence(counties: pd.DataFrame | None) -> str:
    """The report's line on the subsidy ('' when the campaign has none)."""
    if counties is None:
        return ""
    t = {k: int(counties[k].sum()) for k in FIGURES}
    return (f"跨省就业一次性往返交通补助：候选 {t['eligible']:,} 人（应发 {t['eligible_amount'] / 10000:.2f} 万元），"
            f"各县报来申领 {t['claims']:,} 人，核验通过 {t['verified']:,} 人，已发放 {t['paid']:,} 人、"
            f"{t['paid_amount'] / 10000:.2f} 万元。")
