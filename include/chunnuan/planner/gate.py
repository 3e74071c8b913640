"""The plan gate: checks a plan against its inputs independently of how the planner built it.

`check_plan` returns the broken rules (Chinese, one line each, no personal data); an empty list
means the plan may go to the coordinator. `plan_markdown` is the summary the coordinator approves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign
from chunnuan.planner import demand
from chunnuan.planner.fleet import Fleet, qualify
from chunnuan.planner.model import (
    ACTION_DROP,
    ACTION_PICKUP,
    KEPT,
    STATUS_CHARTER,
    STATUS_RAIL,
    STATUS_REFERRED,
    Plan,
    crosses_provinces,
    truthy,
)

SHOWN = 5  # examples per broken rule


def _some(values) -> str:
    values = list(values)
    more = f" 等 {len(values)} 个" if len(values) > SHOWN else ""
    return "、".join(map(str, values[:SHOWN])) + more


def check_plan(requests: pd.DataFrame, fleet: Fleet, result: Plan, campaign: Campaign,
               published=None) -> list[str]:
    """Broken rules of `result`. `published` (a replan.Published, the plan in force when it was made):
    trips marked kept must be that plan's trips unchanged (route, date, seats, carrier), new trips must
    not reuse a published trip number, and only such kept trips may sit below the minimum fill."""
    rules = campaign.transport
    problems: list[str] = []
    wanted = requests[truthy(requests["needs_charter"])] if "needs_charter" in requests else requests
    a, t = result.assignments, result.trips

    # Conservation: every charter request exactly once, chartered or referred.
    if len(a) != len(wanted) or set(a["id_number"]) != set(wanted["id_number"].astype(str)):
        problems.append(f"人数不守恒：包车需求 {len(wanted)} 人，方案中 {len(a)} 人")
    if a["id_number"].duplicated().any():
        problems.append(f"有 {int(a['id_number'].duplicated().sum())} 人在方案中出现多次")
    status_ok = a["status"].isin([STATUS_CHARTER, STATUS_RAIL, STATUS_REFERRED])
    if not status_ok.all():
        problems.append(f"{int((~status_ok).sum())} 人既未安排包车也未转集中购票（也未安排铁路）")
    referred = a[a["status"] == STATUS_REFERRED]
    if (referred["reason"].fillna("") == "").any() or (referred["trip_id"].fillna("") != "").any():
        problems.append("转集中购票的人须写明原因且不在任何车次上")

    # Each chartered worker on one existing trip, on a day inside their window.
    on = a[a["status"] == STATUS_CHARTER]
    trips = t.set_index("trip_id")
    unknown = on.loc[~on["trip_id"].isin(trips.index), "trip_id"]
    if len(unknown):
        problems.append(f"安排到不存在的车次：{_some(unknown.unique())}")
    on = on[on["trip_id"].isin(trips.index)]
    wrong_day = on["travel_date"].astype(str).to_numpy() != trips.loc[on["trip_id"], "date"].astype(str).to_numpy()
    if wrong_day.any():
        problems.append(f"{int(wrong_day.sum())} 人的出行日期与所乘车次日期不同")
    flex = wanted.set_index(wanted["id_number"].astype(str))["flex_days"].astype(int).clip(0, rules.max_shift_days)
    shift = on["shift_days"].abs().to_numpy()
    allowed = flex.reindex(on["id_number"]).fillna(0).to_numpy()
    if (shift > allowed).any():
        problems.append(f"{int((shift > allowed).sum())} 人被调整的天数超过本人可接受的天数")

    # Seats, minimum fill, drivers.
    riders = on.groupby("trip_id").size().reindex(t["trip_id"], fill_value=0).to_numpy()
    if (riders != t["passengers"].to_numpy()).any():
        problems.append("车次乘车人数与名单人数不一致")
    over = t[t["passengers"] > t["seats"]]
    if len(over):
        problems.append(f"超员车次（乘车人数多于座位数）：{_some(over['trip_id'])}")
    kept = _checked_kept(t, published, problems)
    minimum = np.ceil(rules.min_fill_ratio * t["seats"].to_numpy() - 1e-9)
    under = t[(t["passengers"].to_numpy() < np.maximum(minimum, 1)) & ~kept]  # kept ones: flagged in the summary
    if len(under):
        problems.append(f"低于最低满载率 {rules.min_fill_ratio:.0%} 的车次：{_some(under['trip_id'])}")
    long_route = t["km"] > rules.long_route_km
    if (t.loc[long_route, "drivers"] < 2).any():
        problems.append(f"单程超过 {rules.long_route_km:g} 公里的车次须配两名驾驶员")

    # Carriers: qualified, permit for cross-province routes, daily limits.
    qualified = qualify(fleet, campaign).fleet
    permitted = {c.uscc: c.interprovincial for c in qualified.carriers}
    bad = t.loc[~t["carrier_uscc"].isin(permitted.keys()), "carrier"]
    if len(bad):
        problems.append(f"使用了不符合资质要求的企业：{_some(bad.unique())}")
    needs_permit = crosses_provinces(t["route_id"])  # any stop in another province
    no_permit = t[needs_permit & ~t["carrier_uscc"].map(permitted).fillna(False).astype(bool).to_numpy()]
    if len(no_permit):
        problems.append(f"跨省车次由无省际包车许可的企业承运：{_some(no_permit['trip_id'])}")
    used = t.groupby(["carrier_uscc", "seats", "date"]).size().rename("used").reset_index()
    supply = qualified.vehicles.assign(date=qualified.vehicles["date"].astype(str))
    used = used.assign(date=used["date"].astype(str)).merge(supply, left_on=["carrier_uscc", "seats", "date"],
                                                             right_on=["uscc", "seats", "date"], how="left")
    beyond = used[used["used"] > used["count"].fillna(0)]
    if len(beyond):
        examples = [f"{r.carrier_uscc} {r.date} {r.seats}座 用{r.used}辆/可派{int(0 if pd.isna(r.count) else r.count)}辆"
                    for r in beyond.itertuples()]
        problems.append(f"超出企业每日可派车辆数：{_some(examples)}")
    problems += _pooled_problems(on, t, result.stops, campaign)
    return problems


def _place_km(a: str, b: str, factor: float) -> float:
    places = [demand.home_county(c) or divisions.all_divisions().get(c) for c in (a, b)]
    return demand.road_km(places[0], places[1], factor) if None not in places else np.nan


def _pooled_problems(on: pd.DataFrame, t: pd.DataFrame, stops: pd.DataFrame | None, campaign: Campaign) -> list[str]:
    """拼车 trips: their stops (limits, pickups before drops, km), and each rider boarding at their own
    county, alighting at their own city after it, within the detour limit."""
    pooled = t[t["stops"].fillna("") != ""] if "stops" in t else t.iloc[:0]
    if pooled.empty:
        return []
    rules = campaign.transport.pooling
    if rules is None or not rules.enabled:
        return [f"本行动未启用拼车，却有拼车车次：{_some(pooled['trip_id'])}"]
    stops = stops if stops is not None else pd.DataFrame(columns=["trip_id"])
    problems, bad_stops, bad_riders = [], [], []
    by_trip = {k: g.sort_values("stop_no") for k, g in stops.groupby("trip_id")}
    for trip in pooled.itertuples():
        g = by_trip.get(trip.trip_id)
        if g is None:
            bad_stops.append(trip.trip_id)
            continue
        actions = g["action"].tolist()
        ups, downs = actions.count(ACTION_PICKUP), actions.count(ACTION_DROP)
        if (ups < 1 or downs < 1 or ups > rules.max_pickups or downs > rules.max_drops
                or actions != [ACTION_PICKUP] * ups + [ACTION_DROP] * downs or abs(g["km"].iloc[-1] - trip.km) > 0.5
                or g["km"].iloc[ups - 1] > rules.pickup_span_km + 0.5
                or g["km"].iloc[-1] - g["km"].iloc[ups] > rules.drop_span_km + 0.5):
            bad_stops.append(trip.trip_id)
    for trip_id, riders in on[on["trip_id"].isin(pooled["trip_id"])].groupby("trip_id"):
        g = by_trip.get(trip_id)
        if g is None:
            continue
        at = {(r.action, r.place_code): (r.stop_no, r.km) for r in g.itertuples()}
        for route_id in riders["route_id"].unique():
            origin, dest = str(route_id).split(">")
            up, down = at.get((ACTION_PICKUP, origin)), at.get((ACTION_DROP, dest))
            direct = _place_km(origin, dest, campaign.transport.road_distance_factor)
            if (up is None or down is None or up[0] >= down[0]
                    or down[1] - up[1] > (1 + rules.max_detour_ratio) * direct + 0.5):
                bad_riders.append(trip_id)
                break
    if bad_stops:
        problems.append(f"拼车车次的停靠站点不符合要求（上车点不超过 {rules.max_pickups} 个、下车点不超过 "
                        f"{rules.max_drops} 个、首末上车点相距不超过 {rules.pickup_span_km:g} 公里、首末下车点相距不超过 "
                        f"{rules.drop_span_km:g} 公里、先上后下、里程与站点一致）：{_some(bad_stops)}")
    if bad_riders:
        problems.append(f"拼车车次有乘客不在本人县（市、区）上车、本人务工地下车，或绕行超过直达里程的 "
                        f"{1 + rules.max_detour_ratio:.1f} 倍：{_some(bad_riders)}")
    return problems


def _checked_kept(t: pd.DataFrame, published, problems: list[str]) -> np.ndarray:
    """Which trips are kept trips identical to the published ones; reports those that are not."""
    marked = (t["change"] == KEPT).to_numpy(dtype=bool) if "change" in t else np.zeros(len(t), dtype=bool)
    if published is None:
        if marked.any():
            problems.append(f"没有已发布方案，却有标记为保留的车次：{_some(t.loc[marked, 'trip_id'])}")
        return np.zeros(len(t), dtype=bool)
    cols = ["route_id", "date", "seats", "carrier_uscc"]
    before = published.trips.set_index("trip_id")[cols]
    now = t[cols].astype({"seats": "int64"}).assign(date=t["date"].astype(str)).set_index(t["trip_id"])
    known = now.index.isin(before.index)
    same = np.zeros(len(t), dtype=bool)
    if known.any():
        same[known] = (now[known].to_numpy() == before.loc[now.index[known], cols].to_numpy()).all(axis=1)
    changed = marked & ~same
    if changed.any():
        problems.append(f"标记为保留的车次与已发布方案不一致（线路、日期、座位数或承运企业变了）：{_some(t.loc[changed, 'trip_id'])}")
    reused = ~marked & known
    if reused.any():
        problems.append(f"新增车次使用了已发布车次的编号：{_some(t.loc[reused, 'trip_id'])}")
    return marked & same


def _replan_lines(s: dict) -> list[str]:
    r = s.get("replan")
    if not r:
        return []
    mode = "全部重新规划（不保留已发布车次）" if r["mode"] == "all" else "保持已发布车次稳定，只对新增、变更、退出的需求重新安排"
    lines = [f"**与已发布方案（第{r['base_plan']}版）相比**：{mode}", "",
             "| 车次变化 | 数量 |", "|---|---:|",
             f"| 保留车次 | {r['kept_trips']:,} |", f"| 新增车次 | {r['added_trips']:,} |",
             f"| 取消车次 | {r['cancelled_trips']:,} |"]
    people = (("kept_riders", "保留原车次（人）"), ("seated_in_kept_trips", "补入保留车次空座（人）"),
              ("new_requests", "新增需求（人）"), ("changed", "需求变更、重新安排（人）"),
              ("withdrawn", "退出（不再需要包车，人）"))
    lines += [f"| {label} | {r[k]:,} |" for k, label in people if k in r]
    lines.append("")
    if r.get("under_filled_kept_count"):
        lines += [f"**注意**：{r['under_filled_kept_count']} 个保留车次因人员退出低于最低满载率，仍按已发布方案保留，"
                  f"请协调员确认是否需要合并或取消（如需整体重排，运行时勾选“全部重新规划”）：{_some(r['under_filled_kept'])}", ""]
    return lines


def _pooled_lines(s: dict) -> list[str]:
    """拼车 rows of the approval table: pooled trips, their stops, riders chartered thanks to pooling."""
    if not s.get("pooled_trips"):
        return []
    return [f"| 拼车车次 | {s['pooled_trips']:,} |", f"| 拼车停靠站点 | {s['pooled_stops']:,} |",
            f"| 因拼车得以包车（人） | {s['pooled_riders']:,} |", f"| 拼车费用（元） | {s['pooled_cost']:,.0f} |"]


def plan_markdown(result: Plan, campaign: Campaign, busiest: int = 5) -> str:
    """What the coordinator reads before approving: figures only, no personal data."""
    s = result.summary
    ratio = f"{s['cost_to_bound']:.3f}" if s.get("cost_to_bound") else "—"
    by_seats = "、".join(f"{k}座 {v} 辆" for k, v in sorted(s["vehicles_by_seats"].items(), key=lambda kv: int(kv[0])))
    lines = [
        f"## {campaign.name}：“点对点”包车方案待审批",
        "",
        "| 项目 | 数值 |", "|---|---:|",
        f"| 包车需求（人） | {s['requests']:,} |",
        f"| 安排包车（人） | {s['chartered']:,} |",
        f"| 转集中购票（人） | {s['referred']:,} |",
        f"| 车次 | {s['trips']:,} |",
        f"| 费用（元） | {s['cost']:,.0f} |",
        f"| 费用下界（元） | {s['lower_bound']:,.0f} |",
        f"| 费用 / 下界 | {ratio} |",
        f"| 调整出行日期（人） | {s['shifted']:,} |",
        *_pooled_lines(s),
        "",
        f"**车型**：{by_seats or '无'}",
        "",
    ]
    routes = result.routes.sort_values("carried", ascending=False).head(busiest)
    if len(routes) and routes["carried"].iloc[0] > 0:
        lines += ["**最繁忙线路**", "", "| 线路 | 乘车人数 | 车次 | 费用（元） |", "|---|---:|---:|---:|"]
        lines += [f"| {r.route_label} | {int(r.carried):,} | {int(r.vehicles):,} | {r.cost:,.0f} |"
                  for r in routes.itertuples() if r.carried > 0]
        lines.append("")
    if s["referrals_by_reason"]:
        lines += ["**转集中购票原因**", ""]
        lines += [f"- {reason}：{n:,} 人" for reason, n in sorted(s["referrals_by_reason"].items(), key=lambda kv: -kv[1])]
        lines.append("")
    if s["shortage_entries"]:
        lines += [f"**车辆不足**（{s['shortage_entries']} 条，前几条）", ""] + [f"- {x}" for x in s["shortages"]] + [""]
    if s["rejected_carriers"]:
        lines += ["**未选用的企业**", ""] + [f"- {x}" for x in s["rejected_carriers"]] + [""]
    lines += _replan_lines(s)
    lines.append("批准后将发布车次与名单，并向各县（市、区）发送通知邮件。")
    return "\n".join(lines)
