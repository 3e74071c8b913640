"""Each report version's headline figures, kept so the next version shows what changed (新增) and the
weekly chart draws them week by week.

A version (weekly-2024-W06, final) is stored when it is prepared; preparing it again (a re-run) replaces
its figures. The previous version of a report is the stored one with the latest report date before it.
No Airflow here; figures only.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from sqlalchemy import Engine, delete, insert, select

from chunnuan.config.campaign import Campaign
from chunnuan.db.models import ReportVersion

# Headline figure code -> Chinese label, in report order; Figures.province has each but the last.
HEADLINE = {
    "workers": "摸排人数", "reporting": "已报送县(市、区)", "chartered": "点对点包车运送(人)",
    "referred": "转集中购票(人)", "classes": "培训班(期)", "enrolled": "培训报名(人)", "completed": "培训结业(人)",
    "fairs_held": "已办招聘会(场)", "fair_intentions": "达成就业意向(人)", "departments_reported": "已报送部门",
}
CHARTED = ("chartered", "enrolled", "fair_intentions")  # people, on one scale: the weekly chart's series


def headline(province: dict, departments_reported: int) -> dict[str, int]:
    return {k: int(province[k]) for k in HEADLINE if k in province} | {"departments_reported": departments_reported}


def save(engine: Engine, campaign: Campaign, version: str, kind: str, as_of: dt.date, figures: dict[str, int]) -> None:
    with engine.begin() as conn:
        conn.execute(delete(ReportVersion).where(ReportVersion.campaign_id == campaign.id,
                                                 ReportVersion.version == version))
        conn.execute(insert(ReportVersion).values(campaign_id=campaign.id, version=version, kind=kind, as_of=as_of,
                                                  figures=json.dumps(figures), prepared_at=dt.datetime.now(dt.UTC)))


def history(engine: Engine, campaign: Campaign, until: dt.date) -> pd.DataFrame:
    """version, kind, as_of and one column per headline figure, for every version up to `until`, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(ReportVersion.version, ReportVersion.kind, ReportVersion.as_of,
                                   ReportVersion.figures)
                            .where(ReportVersion.campaign_id == campaign.id, ReportVersion.as_of <= until)
                            .order_by(ReportVersion.as_of, ReportVersion.version)).all()
    return pd.DataFrame([{"version": v, "kind": k, "as_of": d, **json.loads(f)} for v, k, d, f in rows],
                        columns=["version", "kind", "as_of", *HEADLINE])


def changes(history_: pd.DataFrame, version: str) -> dict | None:
    """The version before `version` in `history_` and what changed since: {"since": version, "as_of": date,
    "rows": [{code, label, now, before, change}]}; None for the first version."""
    mine = history_[history_["version"] == version]
    if mine.empty:
        return None
    now = mine.iloc[-1]
    earlier = history_[(history_["as_of"] < now["as_of"]) & (history_["version"] != version)]
    if earlier.empty:
        return None
    before = earlier.iloc[-1]
    rows = [{"code": k, "label": label, "now": int(now[k]), "before": int(before[k]),
             "change": int(now[k]) - int(before[k])}
            for k, label in HEADLINE.items() if pd.notna(now[k]) and pd.notna(before[k])]
    return {"since": str(before["version"]), "as_of": before["as_of"], "rows": rows}


def chart(history_: pd.DataFrame) -> bytes | None:
    """Bars of the people-counted headline figures, one group per report version (None before two versions)."""
    from chunnuan.report.charts import bar_chart

    if len(history_) < 2:
        return None
    labels = [f"{d:%m-%d}" + ("总结" if k == "final" else "") for d, k in zip(history_["as_of"], history_["kind"],
                                                                              strict=True)]
    series = {HEADLINE[k].removesuffix("(人)"): history_[k].fillna(0).astype(int).tolist() for k in CHARTED}
    return bar_chart("各期报告主要数字（累计）", labels, series, "人")
