"""Two sources, one truth shown (两源核对): a department's typed figure beside the system's own count.

Where the campaign file gives a service figure a `counterpart` (fairs held, riders carried, trips, classes,
trainees, subsidies paid), the report shows the departments' province total next to what the system's records
hold (fair results, the carriers' returned manifests, the published charter plan, training classes, the
counties' subsidy claims returns) and the gap. A gap beyond the campaign's
`report.tolerance` (a share of the system's count) is named in words; it does not stop the report: the
two sources count differently (a department may count fairs it held with others), and the office must see
both. Figures only; no Airflow here.
"""

from __future__ import annotations

import math

import pandas as pd

# What the system counts, and where it comes from (the report's words).
SYSTEM_LABELS = {
    "fairs_held": "已办招聘会（招聘会成效报表）", "chartered": "点对点包车安排人数（已发布包车方案）",
    "transported": "点对点包车运送人数（包车回执实际乘车，未交回执车次按计划计）",
    "trips": "包车车次（已发布包车方案）", "classes": "培训班期数（培训班报表）",
    "pre_dispatch_classes": "送工前培训班期数（培训班报表）", "enrolled": "培训报名人数（培训班报表）",
    "completed": "培训结业人数（培训班报表）", "subsidy_paid": "已发放交通补助人数（补助申领核验表）",
}
COLUMNS = ["item_name", "figure_name", "unit", "typed", "counterpart", "system", "gap", "share", "beyond"]


def system_values(figures) -> dict[str, int]:
    """Each counterpart's count from the report's figures (report.steps.Figures); `subsidy_paid` only where the
    campaign pays the subsidy (the campaign file allows that counterpart nowhere else)."""
    province, totals = figures.province, figures.totals
    out = {k: int(totals[k] if k == "trips" else province[k]) for k in SYSTEM_LABELS if k != "subsidy_paid"}
    if figures.subsidy is not None:
        out["subsidy_paid"] = int(figures.subsidy["paid"].sum())
    return out


def table(campaign, services: pd.DataFrame, system: dict[str, int]) -> pd.DataFrame:
    """One row per service figure with a counterpart: typed (province total, NaN when nobody reported it),
    system, gap = typed - system, share = gap / system, beyond (the gap exceeds the tolerance)."""
    counterparts = {(i.code, f.code): f.counterpart for i in campaign.service_items for f in i.figures if f.counterpart}
    rows = []
    for r in services.itertuples():
        counterpart = counterparts.get((r.item_code, r.figure_code))
        if counterpart is None:
            continue
        typed = float(r.total) if r.areas else math.nan
        sys_value = system[counterpart]
        gap = typed - sys_value
        share = gap / sys_value if sys_value else (0.0 if gap == 0 else math.inf)
        beyond = not math.isnan(typed) and abs(gap) > campaign.report.tolerance * sys_value
        rows.append([r.item_name, r.figure_name, r.unit, typed, SYSTEM_LABELS[counterpart], sys_value, gap,
                     share, beyond])
    return pd.DataFrame(rows, columns=COLUMNS)


def lines(campaign, gaps: pd.DataFrame) -> list[str]:
    """A sentence for each gap beyond the tolerance, in words the office can act on."""
    out = []
    for r in gaps[gaps["beyond"]].itertuples():
        relative = "系统无记录" if math.isinf(r.share) else f"相差 {r.share:+.0%}"
        out.append(f"「{r.item_name}·{r.figure_name}」部门填报 {r.typed:,.0f} {r.unit}，{r.counterpart} {r.system:,} "
                   f"{r.unit}，{relative}，超过容差 {campaign.report.tolerance:.0%}，请核实")
    return out
