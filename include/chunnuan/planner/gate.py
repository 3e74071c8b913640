"""The plan gate: checks a plan against its inputs independently of how the planner built it.

`check_plan` returns the broken rules (Chinese, one line each, no personal data); an empty list
means the plan may go to the coordinator. `plan_markdown` is the summary the coordinator approves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chunnuan.config.campaign import Campaign
from chunnuan.planner import demand
from chunnuan.planner.fleet import Fleet, min_load, qualify
from chunnuan.planner.model import (
    ACTION_DROP,
    ACTION_PICKUP,
    CAR_COLUMNS,
    KEPT,
    MODE_FEEDER,
    MODE_TRAIN,
    STATUS_CHARTER,
    STATUS_RAIL,
    STATUS_REFERRED,
    Plan,
    crosses_provinces,
    truthy,
)
from chunnuan.planner.pool import DRIVER_HOURS, crew, route_minutes
from chunnuan.planner.rail import feeder_needed, serves

SHOWN = 5  # examples per broken rule


def _some(values) -> str:
    values = list(values)
    more = f" 等 {len(values)} 个" if len(values) > SHOWN else ""
    return "、".join(map(str, values[:SHOWN])) + more


def check_plan(requests: pd.DataFrame, fleet: Fleet, result: Plan, campaign: Campaign,
               published=None, rail: pd.DataFrame | None = None) -> list[str]:
    """Broken rules of `result`. `published` (a replan.Published, the plan in force when it was made):
    trips marked kept must be that plan's trips unchanged (route, date, seats, carrier), new trips must
    not reuse a published trip number, and only such kept trips may sit below the minimum fill.
    `rail`: the railway's offers the plan was made with (rail riders' trains, stations and carriages are
    checked against them; feeder coaches are trips like any other)."""
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

    # Each chartered worker (and each rail rider with a feeder coach) on one existing trip, on a day inside
    # their window.
    on_rail = a[a["status"] == STATUS_RAIL]
    fed = on_rail["trip_id"].fillna("") != ""
    on = pd.concat([a[a["status"] == STATUS_CHARTER], on_rail[fed]])
    if t["trip_id"].duplicated().any():
        problems.append(f"车次编号重复：{_some(t.loc[t['trip_id'].duplicated(), 'trip_id'].unique())}")
    trips = t.drop_duplicates("trip_id").set_index("trip_id")  # (a repeated number is reported above)
    unknown = on.loc[~on["trip_id"].isin(trips.index), "trip_id"]
    if len(unknown):
        problems.append(f"安排到不存在的车次：{_some(unknown.unique())}")
    on = on[on["trip_id"].isin(trips.index)]
    wrong_day = on["travel_date"].astype(str).to_numpy() != trips.loc[on["trip_id"], "date"].astype(str).to_numpy()
    if wrong_day.any():
        problems.append(f"{int(wrong_day.sum())} 人的出行日期与所乘车次日期不同")
    flex = wanted.set_index(wanted["id_number"].astype(str))["flex_days"].astype(int).clip(0, rules.max_shift_days)
    moved = pd.concat([on, on_rail[~fed]])
    shift = moved["shift_days"].abs().to_numpy()
    allowed = flex.reindex(moved["id_number"]).fillna(0).to_numpy()
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
    under = t[(t["passengers"].to_numpy() < min_load(campaign, t["seats"])) & ~kept]  # kept ones: flagged in the summary
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
    problems += _rail_problems(on_rail, t, result.cars, rail, campaign)
    return problems


def _offered(rail: pd.DataFrame) -> pd.DataFrame:
    """The offers per train_id: date, stations, what may be booked."""
    r = rail.assign(train_id=pd.to_datetime(rail["travel_date"]).dt.strftime("%Y%m%d") + "-" + rail["train_no"],
                    date=pd.to_datetime(rail["travel_date"]).dt.strftime("%Y-%m-%d"),
                    boards=[[f, *[x for x in str(st or "").split("、") if x]] for f, st in
                            zip(rail["from_station"], rail["stops"], strict=True)])
    return r


def _rail_problems(on_rail: pd.DataFrame, t: pd.DataFrame, cars: pd.DataFrame | None, rail: pd.DataFrame | None,
                   campaign: Campaign) -> list[str]:
    """Rail riders and carriages: each rider in a carriage of a train offered on their travel day, boarding at a
    boarding station of it that serves their origin and alighting at its 到达站 serving their destination; no
    carriage over its 定员, reserved carriages and 专列 filled as the campaign requires; fares as offered; a
    feeder coach for riders boarding outside their county, from their county to that station."""
    cars = cars if cars is not None else pd.DataFrame(columns=CAR_COLUMNS)
    if on_rail.empty and cars.empty:
        return []
    problems: list[str] = []
    if rail is None or rail.empty or campaign.rail is None:
        return [f"方案有 {len(on_rail)} 人乘火车，但没有铁路运力报表（或行动未登记铁路车站）"]
    rules = campaign.rail
    counted = on_rail.groupby(["train_id", "carriage_no"]).size()
    key = pd.MultiIndex.from_arrays([cars["train_id"], cars["carriage_no"].astype(np.int64)])
    listed = counted.reindex(key, fill_value=0).to_numpy()
    if (listed != cars["riders"].to_numpy()).any() or not counted.index.isin(key).all():
        problems.append("车厢乘车人数与铁路名单人数不一致（或有人安排到不存在的车厢）")
    full = cars[cars["riders"] > cars["capacity"]]
    if len(full):
        problems.append(f"超员车厢（人数多于每厢定员）：{_some(full['train_id'] + ' ' + full['carriage_no'].astype(str) + '号车厢')}")
    offers = _offered(rail)
    by_train = offers.groupby("train_id")
    known = cars["train_id"].isin(offers["train_id"])
    if not known.all():
        problems.append(f"使用了铁路运力报表中没有的车次或日期：{_some(cars.loc[~known, 'train_id'].unique())}")
    bad_cars = []
    for (train_id, kind), g in cars[known].groupby(["train_id", "carriage_type"]):
        rows = by_train.get_group(train_id)
        row = rows[rows["carriage_type"] == kind]
        if row.empty:
            bad_cars.append(train_id)
            continue
        o = row.iloc[0]
        whole = bool(o["whole_train"])
        if (g["date"].astype(str) != o["date"]).any() or (g["from_station"] != o["from_station"]).any() \
                or (g["to_station"] != o["to_station"]).any() or (abs(g["cost"] - g["riders"] * o["fare"]) > 0.01).any():
            bad_cars.append(train_id)
        elif whole and (int(g["capacity"].sum()) != int(o["seats"]) or not (g["mode"] == MODE_TRAIN).all()
                        or g["riders"].sum() < np.ceil(rules.min_train_fill * o["seats"] - 1e-9)):
            bad_cars.append(train_id)
        elif not whole and (len(g) > int(o["carriages"]) or (g["capacity"] != o["seats_per_carriage"]).any()
                            or (g["riders"] < np.ceil(rules.min_carriage_fill * g["capacity"] - 1e-9)).any()):
            bad_cars.append(train_id)
    if bad_cars:
        problems.append(f"车厢与铁路运力报表不符（日期、始发到达站、票价、车厢数或定员），或包车厢、专列未达到最低上座率"
                        f"（车厢 {rules.min_carriage_fill:.0%}、专列 {rules.min_train_fill:.0%}）：{_some(sorted(set(bad_cars)))}")
    problems += _rail_rider_problems(on_rail, t, offers, campaign)
    return problems


def _rail_rider_problems(on_rail: pd.DataFrame, t: pd.DataFrame, offers: pd.DataFrame, campaign: Campaign) -> list[str]:
    stations = campaign.rail.station_list()
    named = {s.name: s for s in stations}
    train = offers.drop_duplicates("train_id").set_index("train_id")
    feeders = t.set_index("trip_id")
    wrong_day, wrong_station, no_feeder, nearest = 0, 0, 0, {}
    for r in on_rail.itertuples():
        if r.train_id not in train.index:
            continue  # reported with the carriages
        o = train.loc[r.train_id]
        if str(r.travel_date) != o["date"]:
            wrong_day += 1
        origin, dest = str(r.route_id).split(">")
        board, arrive = named.get(r.board_station), named.get(r.arrive_station)
        if (board is None or arrive is None or r.board_station not in o["boards"] or r.arrive_station != o["to_station"]
                or not serves(origin, board, nearest, stations) or not serves(dest, arrive, nearest, stations)):
            wrong_station += 1
            continue
        trip = r.trip_id if isinstance(r.trip_id, str) else ""
        if feeder_needed(origin, board) != bool(trip) or (
                trip and (trip not in feeders.index or feeders.loc[trip, "mode"] != MODE_FEEDER
                          or feeders.loc[trip, "route_id"] != f"{origin}>{board.place_code}")):
            no_feeder += 1
    problems = []
    if wrong_day:
        problems.append(f"{wrong_day} 名乘火车的人出行日期与所乘车次的开行日期不同")
    if wrong_station:
        problems.append(f"{wrong_station} 名乘火车的人上车站不是该车次服务其所在县（市、区）的始发站或经停站，或到达站不服务其目的地")
    if no_feeder:
        problems.append(f"{no_feeder} 名乘火车的人缺少从本县（市、区）到上车站的接驳车，或接驳车线路不对")
    return problems


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
                or route_minutes(g["km"].iloc[-1], len(g), rules) > rules.max_route_hours * 60 + 0.5):
            bad_stops.append(trip.trip_id)
    for trip_id, riders in on[on["trip_id"].isin(pooled["trip_id"])].groupby("trip_id"):
        g = by_trip.get(trip_id)
        if g is None:
            continue
        at = {(r.action, r.place_code): (r.stop_no, r.km) for r in g.itertuples()}
        for route_id in riders["route_id"].unique():
            origin, dest = str(route_id).split(">")
            up, down = at.get((ACTION_PICKUP, origin)), at.get((ACTION_DROP, dest))
            direct = demand.place_km(origin, dest, campaign.transport.road_distance_factor)
            if (up is None or down is None or up[0] >= down[0]
                    or down[1] - up[1] > (1 + rules.max_detour_ratio) * direct + 0.5):
                bad_riders.append(trip_id)
                break
    if bad_stops:
        problems.append(f"拼车车次的停靠站点不符合要求（上车点不超过 {rules.max_pickups} 个、下车点不超过 "
                        f"{rules.max_drops} 个、全程含停靠不超过 {rules.max_route_hours:g} 小时、先上后下、里程与站点一致）："
                        f"{_some(bad_stops)}")
    # km is written to 0.1: the crew of the km it may have been rounded up from
    short_crew = [trip.trip_id for trip in pooled.itertuples() if trip.drivers < crew(max(trip.km - 0.05, 0), campaign)]
    if short_crew:
        problems.append(f"拼车车次驾驶员不足（每名驾驶员24小时内累计驾驶不超过 {DRIVER_HOURS} 小时）：{_some(short_crew)}")
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


def _pooled_lines(s: dict, campaign: Campaign) -> list[str]:
    """拼车 rows of the approval table: pooled trips, their stops, riders chartered thanks to pooling; the office's
    allowance on the cost per rider and third drivers, when it chose them."""
    if not s.get("pooled_trips"):
        return []
    lines = [f"| 拼车车次 | {s['pooled_trips']:,} |", f"| 拼车停靠站点 | {s['pooled_stops']:,} |",
             f"| 因拼车得以包车（人） | {s['pooled_riders']:,} |", f"| 拼车费用（元） | {s['pooled_cost']:,.0f} |"]
    if s.get("pooled_three_drivers"):
        lines.append(f"| 其中配三名驾驶员的拼车车次 | {s['pooled_three_drivers']:,} |")
    extra = campaign.transport.pooling.max_extra_cost_per_rider
    if extra:
        lines.append(f"| 拼车允许每名包车乘客平均费用增加（元，行动设定） | {extra:,.0f} |")
    return lines


def _floor_line(s: dict) -> list[str]:
    """Of those referred, the riders no coach under the rules could carry (planner.floor): what no plan avoids."""
    if "referral_floor" not in s:
        return []
    n = s["referral_floor"]
    return [f"| 其中无论如何编排都凑不满最低发车人数的（人） | {'未测算（规模过大）' if n is None else f'{n:,}'} |"]


def _rail_lines(s: dict) -> list[str]:
    """专列（车厢） rows of the approval table: trains, carriages, riders by mode, rail cost, feeder trips."""
    if not s.get("rail_riders"):
        return []
    mode = s["riders_by_mode"]
    return [f"| 专列（趟） | {s['trains']:,} |", f"| 包车厢（节） | {s['reserved_carriages']:,} |",
            f"| 使用车厢合计（节） | {s['train_carriages']:,} |", f"| 乘汽车（人） | {mode['coach']:,} |",
            f"| 乘火车（人） | {mode['rail']:,} |", f"| 其中乘接驳车到站（人） | {mode['feeder']:,} |",
            f"| 铁路团体票费用（元） | {s['rail_cost']:,.0f} |", f"| 接驳车次 | {s['feeder_trips']:,} |",
            f"| 接驳车费用（元） | {s['feeder_cost']:,.0f} |"]


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
        *_floor_line(s),
        f"| 车次 | {s['trips']:,} |",
        f"| 费用（元） | {s['cost']:,.0f} |",
        f"| 费用下界（元） | {s['lower_bound']:,.0f} |",
        f"| 费用 / 下界 | {ratio} |",
        f"| 调整出行日期（人） | {s['shifted']:,} |",
        *_pooled_lines(s, campaign),
        *_rail_lines(s),
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
