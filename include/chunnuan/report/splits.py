"""The report's splits: the survey and charter figures by 本省籍 / 外省籍 and by each of the campaign's
priority groups (a worker may be in several groups, so groups do not add up to the total), and the 外省籍
workers per receiving city with their top home provinces.

    load    -> report_splits.sql once for every worker and once per priority group, as one long table
    table   -> the splits summed for the province or per city, one row per split in the campaign's order
    inbound -> 外省籍 per receiving city of the province
    check   -> the gate's part: 本省籍 + 外省籍 = the unit's figure, no group above it, transported ≤ requested

The unit of every row is survey_worker.served_by_code, as in report_by_county.sql, so each split rolls up
to cities and the province the same way the headline figures do. No Airflow here; figures only.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, text

from chunnuan.common import sql
from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign

NATIVE, INBOUND = "本省籍", "外省籍"
# Figure code -> Chinese header, in report order: the figures split per worker (survey, charter plan, and the
# riders carried as report.outcomes counts them: boarded by the returns, plus the plan's riders not returned).
FIGURES = {
    "workers": "摸排人数", "returning_home": "返乡", "returning_to_work": "返岗", "charter_requests": "包车需求",
    "chartered": "包车安排", "transported": "包车运送", "referred": "转集中购票", "job_seekers": "有就业需求", "training_demand": "培训需求",
}
INBOUND_FIGURES = {"workers": "外省籍人数", "returning_to_work": "返岗", "returning_home": "返乡",
                   "charter_requests": "包车需求", "chartered": "包车安排"}
TOP_PROVINCES = 3


def names(campaign: Campaign) -> list[str]:
    """The splits in report order: 本省籍, 外省籍, then the priority groups as the campaign file lists them."""
    return [NATIVE, INBOUND, *campaign.priority_groups]


def load(conn: Connection, campaign: Campaign, params: dict) -> pd.DataFrame:
    """One row per (county_code, split, home_province) with FIGURES; split is 本省籍, 外省籍 or a group."""
    query = text(sql.load("report_splits.sql"))
    frames = []
    for group in ("", *campaign.priority_groups):
        found = pd.read_sql(query, conn, params={**params, "group": group})
        # '' is every worker, told apart by native (a boolean on PostgreSQL, 0/1 on SQLite).
        found["split"] = group or found["native"].astype(bool).map({True: NATIVE, False: INBOUND})
        frames.append(found.drop(columns="native"))
    out = pd.concat(frames, ignore_index=True)
    out[list(FIGURES)] = out[list(FIGURES)].fillna(0).astype("int64")
    return out


def table(splits: pd.DataFrame, units: pd.DataFrame, order: list[str], by: tuple[str, ...] = ()) -> pd.DataFrame:
    """The splits summed per `by` (("city_code", "city"): per city; (): the province), every split of
    `order` present (zeros where no worker), areas in code order. Rows of units outside `units` (codes
    of another province: the gate names them) are left out."""
    rows = splits.merge(units[["county_code", "city_code", "city"]], on="county_code")
    summed = rows.groupby([*by, "split"])[list(FIGURES)].sum()
    if not by:
        return summed.reindex(pd.Index(order, name="split"), fill_value=0).astype("int64").reset_index()
    areas = units[list(by)].drop_duplicates().sort_values(list(by)).itertuples(index=False)
    grid = pd.MultiIndex.from_tuples([(*a, s) for a in areas for s in order], names=[*by, "split"])
    return summed.reindex(grid, fill_value=0).astype("int64").reset_index()


def inbound(splits: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """外省籍 workers per receiving city (cities with any), INBOUND_FIGURES and `top_provinces`: up to
    TOP_PROVINCES (home province name, workers), most workers first, ties by province code."""
    rows = splits[splits["split"] == INBOUND].merge(units[["county_code", "city_code", "city"]], on="county_code")
    per_city = rows.groupby(["city_code", "city"])[list(INBOUND_FIGURES)].sum().astype("int64").reset_index()
    homes = (rows.groupby(["city_code", "home_province"])["workers"].sum().reset_index()
             .sort_values(["city_code", "workers", "home_province"], ascending=[True, False, True]))
    top = {city: [(province_name(p), int(n)) for p, n in zip(g["home_province"], g["workers"], strict=True)]
           for city, g in homes.groupby("city_code")}
    per_city["top_provinces"] = [top[c][:TOP_PROVINCES] for c in per_city["city_code"]]
    return per_city


def province_name(prefix: str) -> str:
    found = divisions.all_divisions().get(f"{prefix}0000")
    return found.name if found is not None else f"代码{prefix}"


def top_text(top: list[tuple[str, int]]) -> str:
    """河南省 12、安徽省 5、河北省 3: the top home provinces as a report cell."""
    return "、".join(f"{name} {n}" for name, n in top)


def check(splits: pd.DataFrame, units: pd.DataFrame, order: list[str]) -> list[str]:
    """Every split figure that disagrees with its unit's figure (units: report.steps' county rows, with
    FIGURES), in words a coordinator can act on."""
    by_unit = table(splits, units, order, by=("county_code",)).set_index(["county_code", "split"])
    where = units.set_index("county_code")
    problems = []
    for key, label in FIGURES.items():
        split = by_unit[key].unstack("split")
        whole = where[key].reindex(split.index)
        place = where["city"] + where["county"]
        both = split[NATIVE] + split[INBOUND]
        for code in split.index[both != whole]:
            problems.append(f"{place[code]}「{label}」本省籍 {split.at[code, NATIVE]} + 外省籍 "
                            f"{split.at[code, INBOUND]} ≠ 合计 {whole[code]}")
        for name in order[2:]:
            for code in split.index[split[name] > whole]:
                problems.append(f"{place[code]}「{label}」其中{name} {split.at[code, name]} 大于合计 {whole[code]}")
    carried, asked = (by_unit[k].unstack("split") for k in ("chartered", "charter_requests"))
    over = carried > asked
    problems += [f"{where.at[code, 'city']}{where.at[code, 'county']}{name}「{FIGURES['chartered']}」{carried.at[code, name]} "
                 f"大于「包车需求」{asked.at[code, name]}" for code in over.index for name in order if over.at[code, name]]
    return problems
