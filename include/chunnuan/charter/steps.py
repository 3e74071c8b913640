"""The "点对点" charter steps the `charter_bus_planning` DAG runs, one function per task, no Airflow.

    extract   -> the campaign's charter requests (survey_worker, needs_charter), current fleet and rail
                 offers (charter.rail), staged as parquet in the run's folder (identity numbers stay out of XComs and logs);
                 the plan in force (newest published) staged beside them, with whether to re-plan all
    make_plan -> the planner on the staged inputs; with a published plan a re-plan that keeps its
                 trips (planner.replan; "全部重新规划" = from scratch); the plan staged in the same folder
    gate      -> planner.gate.check_plan's broken rules (empty = fine) and the Markdown summary for approval
    publish   -> the approved plan into the database (once per run), XLSX manifests per carrier and
                 county, 集中购票 rosters per departure station (charter.ticket_roster), the railway's
                 group-ticket lists per train (charter.train_lists), one notice email per county (once per
                 plan and county)

The run's folder is config.settings.run_dir(campaign, "charter", run id). Every step can be re-run:
staged files are rewritten, the plan is stored once per (campaign, run), emails are keyed.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select, update

from chunnuan.charter import rail, register
from chunnuan.common.plans import latest_published
from chunnuan.common.steps import NothingToDo
from chunnuan.config import settings
from chunnuan.config.campaign import Campaign
from chunnuan.db import bulk
from chunnuan.db.models import CharterAssignment, CharterPlan, CharterTrip, CharterTripStop, SurveyWorker

DEMAND_COLUMNS = ["id_number", "name", "phone", "home_county_code", "served_by_code", "work_province", "work_city",
                  "work_county_code", "trip_type", "travel_date", "flex_days", "needs_charter"]


def outputs_dir(campaign_id: str, plan_id: int) -> Path:
    return settings.outputs_dir(campaign_id, "charter") / f"plan-{plan_id}"


def load_published(engine: Engine, campaign: Campaign):
    """The campaign's newest published plan as a planner.replan.Published (None when there is none).
    Its riders carry the county or city serving them (from survey_worker, else the ID's first six digits)
    for the county emails; trip numbers used by any published plan are counted so none is ever reused."""
    from chunnuan.planner.replan import (
        PUBLISHED_ASSIGNMENT_COLUMNS,
        PUBLISHED_TRIP_COLUMNS,
        Published,
        trip_numbers,
    )

    with engine.connect() as conn:
        plan_id, _ = latest_published(conn, campaign.id)
        if plan_id < 0:
            return None
        trips = pd.read_sql(select(*(getattr(CharterTrip, "travel_date" if c == "date" else c)
                                     for c in PUBLISHED_TRIP_COLUMNS)).where(CharterTrip.plan_id == plan_id), conn)
        assignments = pd.read_sql(
            select(*(getattr(CharterAssignment, c) for c in PUBLISHED_ASSIGNMENT_COLUMNS), SurveyWorker.served_by_code)
            .select_from(CharterAssignment)
            .outerjoin(SurveyWorker, (SurveyWorker.campaign_id == campaign.id)
                       & (SurveyWorker.id_number == CharterAssignment.id_number))
            .where(CharterAssignment.plan_id == plan_id), conn)
        used = pd.read_sql(select(CharterTrip.trip_id).join(CharterPlan, CharterPlan.id == CharterTrip.plan_id)
                           .where(CharterPlan.campaign_id == campaign.id, CharterPlan.status == "published"), conn)
        stops = pd.read_sql(select(*(c for c in CharterTripStop.__table__.c if c.name != "plan_id"))
                            .where(CharterTripStop.plan_id == plan_id), conn)
    trips = trips.rename(columns={"travel_date": "date"})
    assignments["served_by_code"] = assignments["served_by_code"].fillna(assignments["id_number"].str[:6])
    seq = trip_numbers(used["trip_id"])
    max_seq = {k: int(v) for k, v in seq.groupby(level=0).max().items()}
    return Published(plan_id, trips, assignments, max_seq, stops=stops)


def stage_published(engine: Engine, campaign: Campaign, folder: Path, replan_all: bool = False):
    """The plan in force staged in the run's folder for make_plan, gate and publish; returns it (or None)."""
    published = load_published(engine, campaign)
    _stage_published(published, folder, replan_all)
    return published


def _stage_published(published, folder: Path, replan_all: bool) -> None:
    target = folder / "published"
    if published is None:
        for name in ("trips.parquet", "assignments.parquet", "stops.parquet", "meta.json"):
            (target / name).unlink(missing_ok=True)
        return
    target.mkdir(parents=True, exist_ok=True)
    published.trips.to_parquet(target / "trips.parquet", index=False)
    published.assignments.to_parquet(target / "assignments.parquet", index=False)
    if published.stops is not None:
        published.stops.to_parquet(target / "stops.parquet", index=False)
    (target / "meta.json").write_text(json.dumps({"plan_id": published.plan_id, "replan_all": bool(replan_all),
                                                  "max_seq": published.max_seq}, ensure_ascii=False), encoding="utf-8")


def staged_published(folder: Path):
    """(Published or None, replan_all) as extract staged them."""
    from chunnuan.planner.replan import Published

    target = folder / "published"
    if not (target / "meta.json").exists():
        return None, False
    meta = json.loads((target / "meta.json").read_text(encoding="utf-8"))
    stops = pd.read_parquet(target / "stops.parquet") if (target / "stops.parquet").exists() else None
    published = Published(meta["plan_id"], pd.read_parquet(target / "trips.parquet"),
                          pd.read_parquet(target / "assignments.parquet"), meta["max_seq"], stops=stops)
    return published, bool(meta["replan_all"])


def extract(engine: Engine, campaign: Campaign, folder: Path, replan_all: bool = False) -> dict:
    """Task 提取需求与运力: stage requests, fleet and the plan in force. replan_all (全部重新规划): plan from
    scratch. NothingToDo when there are no charter requests or no fleet yet."""
    from chunnuan.intake.batches import current_fleet

    with engine.connect() as conn:
        demand = pd.read_sql(
            select(*(getattr(SurveyWorker, c) for c in DEMAND_COLUMNS)).where(
                SurveyWorker.campaign_id == campaign.id, SurveyWorker.needs_charter.is_(True)),
            conn,
        )
    fleet = current_fleet(engine, campaign)
    if demand.empty:
        raise NothingToDo("数据库中还没有需要“点对点”包车的务工人员（需求摸排未入库或均不需要包车）")
    if fleet.empty:
        raise NothingToDo("还没有运输企业报送运力（运力报表放入收件目录 fleet/ 后运行需求摸排）")
    folder.mkdir(parents=True, exist_ok=True)
    demand.to_parquet(folder / "demand.parquet", index=False)
    fleet.to_parquet(folder / "fleet.parquet", index=False)
    offers = rail.offers(engine, campaign)
    offers.to_parquet(folder / "rail.parquet", index=False)
    published = stage_published(engine, campaign, folder, replan_all)
    _stage_outcome(engine, campaign, folder)
    return {"requests": len(demand), "carriers": int(fleet["uscc"].nunique()), "offers": len(fleet),
            "rail_offers": len(offers),
            "published_plan": None if published is None else published.plan_id, "replan_all": bool(replan_all)}


def _stage_outcome(engine: Engine, campaign: Campaign, folder: Path) -> None:
    """How the plan in force went (carriers' returns), figures only, for the approval summary."""
    from chunnuan.report.outcomes import plan_outcome

    (folder / "outcome.json").write_text(json.dumps(plan_outcome(engine, campaign), ensure_ascii=False),
                                         encoding="utf-8")


def _inputs(folder: Path):
    from chunnuan.planner import Fleet

    demand = pd.read_parquet(folder / "demand.parquet")
    return demand, Fleet.from_rows(pd.read_parquet(folder / "fleet.parquet"))


def _rail(folder: Path) -> pd.DataFrame | None:
    """The staged rail offers (None for a run staged before rail existed)."""
    staged = folder / "rail.parquet"
    return pd.read_parquet(staged) if staged.exists() else None


def make_plan(campaign: Campaign, folder: Path, workers: int | None = None) -> dict:
    """Task 编制方案: the plan (a re-plan keeping the published trips unless replan_all) staged in `folder`."""
    from chunnuan.planner.io import save_plan
    from chunnuan.planner.replan import replan

    demand, fleet = _inputs(folder)
    published, replan_all = staged_published(folder)
    result = replan(demand, fleet, campaign, published, keep=not replan_all, workers=workers, rail=_rail(folder))
    save_plan(result, folder / "plan")
    return result.summary


def gate(campaign: Campaign, folder: Path) -> tuple[list[str], str]:
    """Task 方案质量闸门: (broken rules, empty = fine; the Markdown summary the coordinator approves)."""
    from chunnuan.planner.gate import check_plan, plan_markdown
    from chunnuan.planner.io import load_plan

    demand, fleet = _inputs(folder)
    result = load_plan(folder / "plan")
    from chunnuan.report.outcomes import approval_lines

    published, _ = staged_published(folder)
    staged = folder / "outcome.json"
    outcome = json.loads(staged.read_text(encoding="utf-8")) if staged.exists() else None
    return (check_plan(demand, fleet, result, campaign, published, rail=_rail(folder)),
            "\n".join([plan_markdown(result, campaign), *approval_lines(outcome)]))


def _store(engine: Engine, campaign: Campaign, run_id: str, result, approved_by: str) -> tuple[int, bool]:
    """The plan, its trips and assignments, once per (campaign, run). Returns (plan id, newly stored)."""
    with engine.begin() as conn:
        existing = conn.execute(select(CharterPlan.id).where(
            CharterPlan.campaign_id == campaign.id, CharterPlan.run_id == run_id)).scalar()
        if existing is not None:
            return existing, False
        plan_id = conn.execute(CharterPlan.__table__.insert().values(
            campaign_id=campaign.id, run_id=run_id, status="approved", approved_by=approved_by,
            created_at=dt.datetime.now(dt.UTC), summary=json.dumps(result.summary, ensure_ascii=False),
        )).inserted_primary_key[0]
        trips = result.trips.rename(columns={"date": "travel_date"}).assign(plan_id=plan_id)
        trips["travel_date"] = pd.to_datetime(trips["travel_date"])
        trips["stops"] = trips["stops"].replace("", None) if "stops" in trips else None
        bulk.insert(conn, "charter_trip", trips[["plan_id", "trip_id", "route_id", "route", "travel_date", "seats",
                                                 "vehicle_class", "carrier_uscc", "passengers", "km", "drivers",
                                                 "cost", "stops", "mode"]])
        if result.stops is not None and len(result.stops):
            bulk.insert(conn, "charter_trip_stop", result.stops.assign(plan_id=plan_id)[
                ["plan_id", "trip_id", "stop_no", "action", "place_code", "place", "point", "time", "km", "boarding",
                 "alighting"]])
        a = result.assignments.assign(plan_id=plan_id)
        for column in ("planned_date", "travel_date"):
            a[column] = pd.to_datetime(a[column].replace("", None))
        for column in ("route_id", "trip_id", "reason"):
            a[column] = a[column].replace("", None)
        a[rail.RIDER_COLUMNS] = rail.rider_columns(a)
        bulk.insert(conn, "charter_assignment", a[["plan_id", "id_number", "status", "route_id", "planned_date",
                                                   "travel_date", "shift_days", "trip_id", "reason",
                                                   *rail.RIDER_COLUMNS]])
        rail.store(conn, plan_id, result)
    return plan_id, True


def county_changes(result, demand: pd.DataFrame, published) -> dict[str, dict]:
    """Per county code: trips with its workers kept / added in this plan, and published trips with its
    workers that this plan cancels. Empty when the plan has no published plan to compare with."""
    if published is None or "change" not in result.trips.columns:
        return {}
    county = demand.assign(id_number=demand["id_number"].astype(str)).set_index("id_number")["served_by_code"]
    a = result.assignments[result.assignments["trip_id"].fillna("") != ""]
    on = pd.DataFrame({"county": a["id_number"].astype(str).map(county).to_numpy(), "trip_id": a["trip_id"].to_numpy()})
    on = on.merge(result.trips[["trip_id", "change"]], on="trip_id").drop_duplicates(["county", "trip_id"])
    counts = on.groupby(["county", "change"]).size()
    pa = published.assignments
    was = pa[pa["trip_id"] != ""].drop_duplicates(["served_by_code", "trip_id"]) if "served_by_code" in pa \
        else pd.DataFrame(columns=["served_by_code", "trip_id"])
    kept = set(result.trips.loc[result.trips["change"] == "kept", "trip_id"])
    cancelled = was[~was["trip_id"].isin(kept)].groupby("served_by_code").size()
    codes = set(on["county"].dropna()) | set(cancelled.index)
    return {c: {"kept": int(counts.get((c, "kept"), 0)), "added": int(counts.get((c, "added"), 0)),
                "cancelled": int(cancelled.get(c, 0))} for c in codes}


def publish(engine: Engine, campaign: Campaign, folder: Path, run_id: str, approved_by: str, smtp) -> dict:
    """Task 发布方案: store, write manifests, notify each county once. `smtp` is a mail.SmtpSettings (None: no
    email)."""
    from chunnuan.charter import train_lists
    from chunnuan.charter.manifests import county_figures, write_manifests
    from chunnuan.charter.ticket_roster import write_rosters as write_ticket_rosters
    from chunnuan.common import mail
    from chunnuan.planner.io import load_plan

    result = load_plan(folder / "plan")
    demand = pd.read_parquet(folder / "demand.parquet")
    plan_id, new = _store(engine, campaign, run_id, result, approved_by)
    out = outputs_dir(campaign.id, plan_id)
    written = write_manifests(result, demand, out)
    tickets = write_ticket_rosters(engine, campaign, plan_id, out / "tickets") if campaign.rail else None
    trains = train_lists.write_lists(engine, campaign, plan_id, out / "trains")["trains"]
    register.write(campaign.id, plan_id, result.trips, result.assignments)  # what carriers' returns are checked against
    published, _ = staged_published(folder)
    changes = county_changes(result, demand, published)
    replan = result.summary.get("replan")

    sent = 0
    for figures in county_figures(result, demand):
        if smtp is None:
            break
        change = changes.get(figures["county_code"]) or {"kept": 0, "added": 0, "cancelled": 0}
        html = mail.render("charter_county_email.html.j2", **figures, plan_id=plan_id, campaign_name=campaign.name,
                           manifest=f"outputs/{campaign.id}/charter/plan-{plan_id}/counties/",
                           base_plan=replan["base_plan"] if replan else None, change=change,
                           office=f"{campaign.province}春暖行动领导小组办公室", today=dt.date.today().isoformat())
        subject = f"【{campaign.name}】“点对点”包车方案（第{plan_id}版）：{figures['county']}"
        sent += mail.send_once(engine, smtp, f"charter-plan-{plan_id}-county-{figures['county_code']}", campaign.id,
                               [campaign.county_mailbox(figures["county_code"])], subject, html)
    rail_sent = train_lists.notify_railway(engine, campaign, smtp, plan_id, trains,
                                           f"outputs/{campaign.id}/charter/plan-{plan_id}/trains/")
    with engine.begin() as conn:
        conn.execute(update(CharterPlan).where(CharterPlan.id == plan_id, CharterPlan.status == "approved")
                     .values(status="published", published_at=dt.datetime.now(dt.UTC)))
    return {"plan_id": plan_id, "stored_now": new, "emails_sent": sent, "outputs": str(out),
            "carrier_manifests": len(written["carriers"]), "county_manifests": len(written["counties"]),
            "ticket_stations": tickets["stations"] if tickets else 0, "train_lists": len(trains),
            "railway_emails": rail_sent,
            **{k: result.summary[k] for k in ("requests", "chartered", "referred", "trips", "cost")},
            **({f"{k}_trips": replan[f"{k}_trips"] for k in ("kept", "added", "cancelled")} if replan else {})}
