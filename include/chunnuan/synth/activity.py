"""Synthetic submissions of what counties and departments did (for the demo): job-fair results of the
published rollout, service-item progress per area and week, and each department's highlights and problems. Rows carry the form's Chinese headers;
a few carry the mistakes clerks make, so the intake's quarantine shows. Deterministic by seed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign
from chunnuan.intake.kinds.fair_results import FAIR_RESULTS
from chunnuan.intake.kinds.highlights import HIGHLIGHTS
from chunnuan.intake.kinds.openings import OPENINGS
from chunnuan.intake.kinds.progress import PROGRESS, figure_table

HELD = 0.9  # share of planned fairs that were held by the report date and reported
MISTAKES = 0.02  # result rows with 达成意向 > 进场


def _headers(schema, frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={c.field: c.header for c in schema.columns})[[c.header for c in schema.columns]]


def opening_rows(campaign: Campaign, openings: pd.DataFrame) -> pd.DataFrame:
    """opening_synth rows as the form has them: openings outside the province name their province."""
    province_of = openings["county_code"].str.slice(0, 2) + "0000"
    names = {code: divisions.all_divisions()[code].name for code in province_of.unique()}
    outside = province_of != campaign.province_code
    return _headers(OPENINGS, openings.assign(province=province_of.map(names).where(outside, "")))


def fair_results(campaign: Campaign, fairs: pd.DataFrame, until: dt.date, seed: int) -> pd.DataFrame:
    """Results of the planned fairs held up to `until` (fairs: job_fair rows of the published plan)."""
    rng = np.random.default_rng([seed, 41])
    province = divisions.province(campaign.province_code)
    held = fairs[(pd.to_datetime(fairs["fair_date"]).dt.date <= until)].sort_values("fair_no").reset_index(drop=True)
    held = held[rng.random(len(held)) < HELD].reset_index(drop=True)
    n = len(held)
    live = (held["mode"] == "直播带岗").to_numpy()
    employers = rng.integers(15, 80, n)
    attendance = np.where(live, rng.integers(3000, 30000, n),
                          np.maximum(held["expected_seekers"].to_numpy() * rng.uniform(0.6, 1.4, n), 50)).astype(int)
    intentions = (attendance * np.where(live, rng.uniform(0.01, 0.04, n), rng.uniform(0.15, 0.4, n))).astype(int)
    poor_share = np.where(held["session"] == "脱贫劳动力专场", rng.uniform(0.6, 0.9, n), rng.uniform(0.05, 0.25, n))
    wrong = rng.random(n) < MISTAKES
    frame = pd.DataFrame({
        "county": held["county_code"].map(province.county_label),
        "fair_no": held["fair_no"],
        "fair_name": held["title"],
        "fair_date": held["fair_date"].astype(str),
        "mode": held["mode"],
        "employers": employers,
        "positions": employers * rng.integers(5, 40, n),
        "attendance": attendance,
        "attendance_poor": (attendance * poor_share).astype(int),
        "intentions": np.where(wrong, attendance + rng.integers(1, 50, n), intentions),
        "intentions_poor": (intentions * poor_share).astype(int),
        "reporting_unit": held["county_code"].map(lambda c: province.counties[c].name + "人力资源和社会保障局"),
        "reported_on": (pd.to_datetime(held["fair_date"]) + pd.Timedelta(days=2)).dt.strftime("%Y-%m-%d"),
    })
    return _headers(FAIR_RESULTS, frame)


# The one figure departments over-report in the demo (they counted riders the carriers' returns do not hold,
# e.g. by 专列), so the report's two-source check has a gap beyond the tolerance to show.
OVER_REPORTED = ("charter_passengers", 1.3)


def _shares(total: float, weights: np.ndarray, whole: bool) -> np.ndarray:
    """`total` split in proportion to `weights`; whole numbers add up exactly (largest remainders)."""
    exact = total * weights / weights.sum()
    if not whole:
        return np.round(exact, 2)
    out = np.floor(exact).astype(int)
    out[np.argsort(exact - out)[::-1][:int(round(total)) - out.sum()]] += 1
    return out


def service_progress(campaign: Campaign, dates: list[dt.date], seed: int,
                     counted: dict[str, int] | None = None) -> pd.DataFrame:
    """Cumulative figures of every configured service item for every county and city (市本级) on each date,
    each row from the department the campaign file says answers for the figure. A figure whose counterpart
    the system counts (`counted`: counterpart -> count, as report.reconcile.system_values gives them, e.g.
    {"transported": 3913, "subsidy_paid": 2257}) adds up to that count on the last date — except OVER_REPORTED,
    the demo's deliberate disagreement. A few counties never report, and the last department with a mailbox
    sends nothing for the last date (the report reminds it)."""
    rng = np.random.default_rng([seed, 43])
    province = divisions.province(campaign.province_code)
    areas = [province.county_label(c) for c in sorted(province.counties)]
    areas = [a for a in areas if rng.random() > 0.05] + [c.name for c in province.cities.values()]
    figures = figure_table(campaign)
    owners = campaign.owners()
    late = [d.name for d in campaign.departments if d.email][-1]
    counterparts = {(i.code, f.code): f.counterpart for i in campaign.service_items for f in i.figures}
    counted = counted or {}
    dates = sorted(dates)
    rows = []
    for f in figures.itertuples():
        money = f.unit in ("万元", "元")
        weights = rng.uniform(0.3, 1.5, len(areas))
        counterpart = counterparts[(f.item_code, f.figure_code)]
        if counterpart in counted:
            factor = OVER_REPORTED[1] if f.figure_code == OVER_REPORTED[0] else 1.0
            final = _shares(counted[counterpart] * factor, weights, whole=True)
        else:
            final = weights * (20.0 if money else 400.0 if f.unit in ("人", "人次", "个", "份") else 12.0)
        department = owners[(f.item_code, f.figure_code)]
        for step, day in enumerate(dates, start=1):
            if department == late and step == len(dates):
                continue
            values = final if step == len(dates) else final * step / len(dates)
            for area, value in zip(areas, values, strict=True):
                rows.append({"area": area, "item": f.item_name, "figure": f.figure_name,
                             "value": round(float(value), 2) if money else int(value),
                             "as_of": day.isoformat(), "department": department, "reported_on": day.isoformat()})
    return _headers(PROGRESS, pd.DataFrame(rows))


# What a department writes under each category, about one of its service items.
HIGHLIGHT_TEXT = {
    "典型经验": ("{item}“一站式”办理", "{department}在各县区设立{item}专窗，材料一次收齐、当天办结，群众少跑腿。"),
    "亮点工作": ("{item}进村入户", "{department}组织工作人员进村入户开展{item}，节前覆盖全部乡镇，群众反映良好。"),
    "存在问题": ("{item}基层力量不足", "部分县区{item}专职人员偏少，偏远乡镇覆盖不够，信息报送不够及时。"),
    "下一步打算": ("持续做好{item}", "{department}将把{item}延伸到节后返岗高峰，继续跟踪服务，及时总结经验。"),
}


def highlights(campaign: Campaign, day: dt.date, seed: int) -> pd.DataFrame:
    """One entry per category from every department (省本级), each about one of its own items; one entry
    carries a contact's mobile number, which the intake quarantines (it would end up in the report email)."""
    rng = np.random.default_rng([seed, 47])
    province = divisions.province(campaign.province_code)
    names = {i.code: i.name for i in campaign.service_items}
    own = {d.name: list(dict.fromkeys(names[i] for (i, _), o in campaign.owners().items() if o == d.name))
           for d in campaign.departments}
    rows = []
    for department in campaign.departments:
        for c, (category, (title, content)) in enumerate(HIGHLIGHT_TEXT.items()):
            item = own[department.name][c % len(own[department.name])]  # about the items it answers for
            rows.append({"area": province.name, "department": department.name, "item": item, "category": category,
                         "title": title.format(item=item), "content": content.format(item=item, department=department.name),
                         "report_date": day.isoformat()})
    bad = int(rng.integers(len(rows)))
    rows[bad]["content"] += f"联系人电话13{rng.integers(500_000_000, 999_999_999)}。"
    return _headers(HIGHLIGHTS, pd.DataFrame(rows))
