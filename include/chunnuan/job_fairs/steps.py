"""The job-fair rollout (招聘会) as steps on the campaign database; the `job_fair_rollout` DAG runs them,
one function per task.

    plan     -> unless a plan is already published (and no re-plan asked) or nobody seeks work yet:
                seekers from the survey (就业需求 本地就业 / 外出务工), current openings, fairs per
                county (job_fairs.plan), each seeker's ranked openings (job_fairs.matching); stored
                as a job_fair_plan in status planned
    gate     -> independent checks of the stored plan: every county covered, no venue twice a day, no
                fair in the Spring Festival break, no opening over-promised, every seeker accounted for
    publish  -> the schedule XLSX for the province; per county its fairs and the employers to invite
                (emailed), and its seekers' recommended openings (kept in the system: names, never an ID
                number or phone); status published
    notify   -> one email per county contact with its fairs and employers, once per plan
    tally    -> the fairs the counties reported held, against the published plan

No Airflow import here.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, delete, insert, select, update

from chunnuan.common.plans import latest_published
from chunnuan.common.steps import NothingToDo
from chunnuan.config import divisions, settings
from chunnuan.config.campaign import Campaign
from chunnuan.db import bulk
from chunnuan.db.models import (
    FairResult,
    JobFair,
    JobFairPlan,
    JobOpening,
    JobRecommendation,
    SurveyWorker,
)

SEEKER_NEEDS = ("本地就业", "外出务工")
TIER_NAMES = {1: "县内", 2: "市内", 3: "省内", 4: "省外"}


@dataclass
class Inputs:
    seekers: pd.DataFrame  # one row per job seeker (with name and township for the county lists)
    openings: pd.DataFrame  # current openings with opening_id
    counties: pd.DataFrame  # county_code, seekers, poor_seekers, away_seekers


def outputs_dir(campaign_id: str, plan_id: int) -> Path:
    return settings.outputs_dir(campaign_id, "job_fairs") / f"plan-{plan_id}"


def extract(engine: Engine, campaign: Campaign) -> Inputs:
    from chunnuan.intake.kinds.openings import opening_ids
    from chunnuan.job_fairs.matching import seeking_places

    with engine.connect() as conn:
        seekers = pd.read_sql(select(
            SurveyWorker.id_number, SurveyWorker.name, SurveyWorker.home_county_code, SurveyWorker.home_city_code,
            SurveyWorker.home_township, SurveyWorker.priority_groups, SurveyWorker.native, SurveyWorker.served_by_code,
            SurveyWorker.work_city_code, SurveyWorker.work_county_code, SurveyWorker.job_need,
            SurveyWorker.desired_trade, SurveyWorker.trip_type, SurveyWorker.travel_date,
        ).where(SurveyWorker.campaign_id == campaign.id, SurveyWorker.job_need.in_(SEEKER_NEEDS)), conn)
        openings = pd.read_sql(select(JobOpening).where(JobOpening.campaign_id == campaign.id), conn)
    seekers = seekers.join(seeking_places(seekers, campaign))
    openings["opening_id"] = opening_ids(openings)
    openings["closing_date"] = pd.to_datetime(openings["closing_date"]).dt.date
    travel = pd.to_datetime(seekers["travel_date"]).dt.date
    # Still away when the fairs begin: coming home (返乡) later than the window's first day.
    away = (seekers["trip_type"] == "返乡") & (travel > campaign.job_fairs.window.start)
    # Fairs are the counties': a seeker counts where the county (本省籍) or receiving county (外省籍) serves him.
    counties = seekers.assign(poor=seekers["priority_groups"] != "", away=away).groupby("served_by_code").agg(
        seekers=("id_number", "size"), poor_seekers=("poor", "sum"), away_seekers=("away", "sum"))
    counties = counties.rename_axis("county_code").reset_index()
    # A receiving city named without its county has no county fair: its seekers are matched (市内 first).
    counties = counties[counties["county_code"].isin(divisions.province(campaign.province_code).counties)]
    return Inputs(seekers, openings, counties)


def plan(engine: Engine, campaign: Campaign, run_id: str, as_of: dt.date, replan: bool = False) -> dict:
    """Task 规划招聘会与岗位匹配: a new plan from the current survey and openings (see _plan).
    NothingToDo when a plan is published already and `replan` (重新规划) is not asked, or when nobody in the
    survey seeks work yet; FairPlanError (a StepFailed) when some county's fairs do not fit the window."""
    with engine.connect() as conn:
        published, _ = latest_published(conn, campaign.id, JobFairPlan)
    if published > 0 and not replan:
        raise NothingToDo(f"已有发布的招聘会方案（第 {published} 版）；需要重做时勾选“重新规划”")
    inputs = extract(engine, campaign)
    if inputs.seekers.empty:
        raise NothingToDo("还没有有就业需求的摸排数据，先运行需求摸排")
    return _plan(engine, campaign, inputs, run_id, as_of)


def _plan(engine: Engine, campaign: Campaign, inputs: Inputs, run_id: str, as_of: dt.date) -> dict:
    """Fairs and recommendations, stored as a new plan (status planned) replacing this run's earlier try."""
    from chunnuan.job_fairs.matching import match
    from chunnuan.job_fairs.plan import plan_fairs

    fairs = plan_fairs(campaign, inputs.counties)
    matches = match(inputs.seekers, inputs.openings, campaign, as_of)
    keys = inputs.openings.set_index("opening_id")[["uscc", "county_code", "trade"]]
    homes = inputs.seekers.set_index("id_number")["served_by_code"]
    listed = matches.lists.join(keys, on="opening_id")
    unmatched = matches.unmatched.assign(rank=0)
    recommendations = pd.concat([listed, unmatched], ignore_index=True)
    recommendations["served_by_code"] = recommendations["id_number"].map(homes)
    summary = {
        "as_of": as_of.isoformat(), "seekers": len(inputs.seekers), "openings": len(inputs.openings),
        "places": int(inputs.openings["headcount"].sum()), "fairs": len(fairs),
        "counties": int(fairs["county_code"].nunique()),
        "sessions": {k: int(v) for k, v in fairs["session"].value_counts().items()},
        "matched": int(listed["id_number"].nunique()), "unmatched": len(unmatched),
        "by_tier": {TIER_NAMES[int(k)]: int(v) for k, v in listed.loc[listed["rank"] == 1, "tier"]
                    .value_counts().sort_index().items()},
        "county_stats": inputs.counties.astype({c: "int64" for c in ("seekers", "poor_seekers", "away_seekers")})
        .to_dict(orient="list"),  # what the gate checks the sessions against
    }
    with engine.begin() as conn:
        old = conn.execute(select(JobFairPlan.id).where(JobFairPlan.campaign_id == campaign.id,
                                                        JobFairPlan.run_id == run_id)).scalars().all()
        for table in (JobRecommendation, JobFair):
            conn.execute(delete(table).where(table.plan_id.in_(old)))
        conn.execute(delete(JobFairPlan).where(JobFairPlan.id.in_(old)))
        plan_id = conn.execute(insert(JobFairPlan).values(
            campaign_id=campaign.id, run_id=run_id, status="planned", created_at=dt.datetime.now(dt.UTC),
            summary=json.dumps(summary, ensure_ascii=False))).inserted_primary_key[0]
        bulk.insert(conn, "job_fair", fairs.assign(plan_id=plan_id)[[c.name for c in JobFair.__table__.columns]])
        columns = [c.name for c in JobRecommendation.__table__.columns]
        bulk.insert(conn, "job_recommendation", recommendations.assign(plan_id=plan_id).reindex(columns=columns))
    return {"plan_id": plan_id, **{k: v for k, v in summary.items() if k != "county_stats"}}


def _stored(conn, plan_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    fairs = pd.read_sql(select(JobFair).where(JobFair.plan_id == plan_id), conn)
    fairs["fair_date"] = pd.to_datetime(fairs["fair_date"]).dt.date
    recommendations = pd.read_sql(select(JobRecommendation).where(JobRecommendation.plan_id == plan_id), conn)
    return fairs, recommendations


def gate(engine: Engine, campaign: Campaign, plan_id: int) -> list[str]:
    """Task 方案闸门: every rule the stored plan breaks, in Chinese (empty: it may be published). Checked on what is in
    the database, independently of how the planner built it."""
    from chunnuan.job_fairs.plan import check_plan

    rules = campaign.job_fairs.matching
    with engine.connect() as conn:
        fairs, recs = _stored(conn, plan_id)
        summary = json.loads(conn.execute(select(JobFairPlan.summary).where(JobFairPlan.id == plan_id)).scalar_one())
        openings = pd.read_sql(select(JobOpening).where(JobOpening.campaign_id == campaign.id), conn)
    problems = check_plan(fairs, pd.DataFrame(summary["county_stats"]), campaign)
    listed, unmatched = recs[recs["rank"] >= 1], recs[recs["rank"] == 0]
    if recs["id_number"].nunique() != summary["seekers"]:
        problems.append(f"求职者不守恒：摸排有就业需求 {summary['seekers']} 人，方案中只有 {recs['id_number'].nunique()} 人")
    both = set(listed["id_number"]) & set(unmatched["id_number"])
    if both:
        problems.append(f"{len(both)} 名求职者既有推荐岗位又被列为未匹配")
    longest = int(listed.groupby("id_number").size().max()) if len(listed) else 0
    if longest > rules.list_length:
        problems.append(f"有求职者被推荐了 {longest} 个岗位，超过每人 {rules.list_length} 个的上限")
    load = listed.groupby(["uscc", "county_code", "trade"]).size().rename("listed").reset_index()
    load = load.merge(openings[["uscc", "county_code", "trade", "enterprise", "headcount"]], how="left",
                      on=["uscc", "county_code", "trade"])
    for row in load[load["headcount"].isna()].itertuples():
        problems.append(f"推荐了岗位表中已不存在的岗位：{row.uscc} {row.trade}")
    over = load[load["listed"] > load["headcount"] * rules.candidates_per_place]
    for row in over.itertuples():
        problems.append(f"{row.enterprise}「{row.trade}」招 {int(row.headcount)} 人，却推荐给了 {row.listed} 人"
                        f"（上限为名额的 {rules.candidates_per_place} 倍）")
    return problems


def _county_lists(inputs_seekers: pd.DataFrame, recs: pd.DataFrame, openings: pd.DataFrame) -> pd.DataFrame:
    """One row per seeker with the recommended openings as text: what a county clerk calls people about."""
    labels = openings.assign(label=openings["enterprise"] + "「" + openings["trade"] + "」"
                             + openings["wage_min"].astype(str) + "-" + openings["wage_max"].astype(str) + "元")
    listed = recs[recs["rank"] >= 1].merge(labels[["uscc", "county_code", "trade", "label"]], how="left",
                                           on=["uscc", "county_code", "trade"])
    listed["label"] = listed["tier"].map(TIER_NAMES) + "·" + listed["label"]
    joined = listed.sort_values(["id_number", "rank"]).groupby("id_number")["label"].agg("；".join)
    reason = recs[recs["rank"] == 0].set_index("id_number")["reason"]
    people = inputs_seekers.set_index("id_number")
    out = people[["served_by_code", "name", "home_township", "job_need", "desired_trade", "priority_groups"]].copy()
    out["recommended"] = joined.reindex(out.index).fillna(reason.reindex(out.index))
    return out.reset_index(drop=True)  # the ID number stays in the database


def invitations(recs: pd.DataFrame, openings: pd.DataFrame, limit: int) -> pd.DataFrame:
    """Per county, the enterprises whose openings its seekers were recommended, most seekers first."""
    listed = recs[recs["rank"] >= 1].merge(openings[["uscc", "county_code", "trade", "enterprise", "headcount",
                                                     "key_enterprise"]], on=["uscc", "county_code", "trade"])
    per = listed.groupby(["served_by_code", "uscc"]).agg(
        enterprise=("enterprise", "first"), seekers=("id_number", "nunique"), key_enterprise=("key_enterprise", "max"),
        trades=("trade", lambda t: "、".join(sorted(set(t))))).reset_index()
    positions = listed.drop_duplicates(["served_by_code", "uscc", "county_code", "trade"]).groupby(
        ["served_by_code", "uscc"])["headcount"].sum().rename("positions")
    per = per.join(positions, on=["served_by_code", "uscc"])
    per = per.sort_values(["served_by_code", "seekers", "key_enterprise", "uscc"], ascending=[True, False, False, True])
    per["rank"] = per.groupby("served_by_code").cumcount() + 1
    return per[per["rank"] <= limit].rename(columns={"served_by_code": "county_code"})


def fair_invitations(fairs: pd.DataFrame, recs: pd.DataFrame, openings: pd.DataFrame, seekers: pd.DataFrame,
                     limit: int) -> pd.DataFrame:
    """The employers to invite to each fair: a 脱贫劳动力专场 invites those recommended to the county's poor
    seekers; the other fairs of a county invite those recommended to all its seekers."""
    from chunnuan.job_fairs.plan import POVERTY

    poor = set(seekers.loc[seekers["priority_groups"] != "", "id_number"])
    lists = {False: invitations(recs, openings, limit),
             True: invitations(recs[recs["id_number"].isin(poor)], openings, limit)}
    parts = [(own := lists[fair.session == POVERTY])[own["county_code"] == fair.county_code].assign(fair_no=fair.fair_no)
             for fair in fairs.itertuples()]
    return pd.concat(parts, ignore_index=True) if parts else lists[False].assign(fair_no=pd.Series(dtype=str))


FAIR_HEADERS = {"fair_no": "招聘会编号", "city": "市", "county": "县(市、区)", "fair_date": "举办日期", "mode": "形式",
                "session": "场次类型", "venue": "地点", "expected_seekers": "预计求职者", "title": "招聘会名称"}
INVITE_HEADERS = {"fair_no": "招聘会编号", "county": "县(市、区)", "rank": "序号", "enterprise": "企业名称", "uscc": "统一社会信用代码",
                  "trades": "招聘工种", "positions": "岗位数", "seekers": "本县匹配求职者"}
SEEKER_HEADERS = {"name": "姓名", "home_township": "乡镇(街道)", "priority_groups": "重点群体类别", "job_need": "就业需求",
                  "desired_trade": "意向工种", "recommended": "推荐岗位（按优先顺序）或未匹配原因"}


def publish(engine: Engine, campaign: Campaign, plan_id: int) -> dict:
    """Task 发布安排表与邀请名单: the province's schedule and one invitation workbook per county, from the
    stored plan and the current survey and openings; the plan becomes published."""
    from openpyxl import Workbook

    from chunnuan.common.sheets import write_sheet

    inputs = extract(engine, campaign)
    province = divisions.province(campaign.province_code)
    with engine.connect() as conn:
        fairs, recs = _stored(conn, plan_id)
    names = {c: province.counties[c].name for c in province.counties}
    cities = {c: province.city_of(c).name for c in province.counties}
    fairs = fairs.assign(county=fairs["county_code"].map(names), city=fairs["county_code"].map(cities))
    fairs = fairs.sort_values(["fair_date", "fair_no"])
    invites = fair_invitations(fairs, recs, inputs.openings, inputs.seekers, campaign.job_fairs.matching.invite_per_fair)
    invites["county"] = invites["county_code"].map(names)
    people = _county_lists(inputs.seekers, recs, inputs.openings)
    folder = outputs_dir(campaign.id, plan_id)
    (folder / "counties").mkdir(parents=True, exist_ok=True)

    book = Workbook()
    book.remove(book.active)
    write_sheet(book, "招聘会安排", fairs, FAIR_HEADERS)
    write_sheet(book, "邀请企业", invites, INVITE_HEADERS)
    schedule = folder / f"{campaign.province}春风行动招聘会安排表.xlsx"
    book.save(schedule)
    county_files = {}
    for code, own in fairs.groupby("county_code"):
        label = province.county_label(code)
        book = Workbook()  # emailed: fairs and employers, no personal data
        book.remove(book.active)
        write_sheet(book, "本县招聘会", own, FAIR_HEADERS)
        write_sheet(book, "邀请企业", invites[invites["county_code"] == code], INVITE_HEADERS)
        path = folder / "counties" / f"{label}-招聘会安排与邀请企业.xlsx"
        book.save(path)
        county_files[code] = str(path)
        book = Workbook()  # kept in the system: names and recommendations, for the county to call people
        book.remove(book.active)
        write_sheet(book, "求职者推荐岗位", people[people["served_by_code"] == code], SEEKER_HEADERS)
        book.save(folder / "counties" / f"{label}-求职者推荐岗位.xlsx")
    for code in sorted(set(people["served_by_code"].dropna()) & set(province.cities)):
        # 外省籍 seekers whose survey names only the receiving city: the city's own list (市本级), no fair of its own
        book = Workbook()
        book.remove(book.active)
        write_sheet(book, "求职者推荐岗位", people[people["served_by_code"] == code], SEEKER_HEADERS)
        book.save(folder / "counties" / f"{province.cities[code].name}本级-求职者推荐岗位.xlsx")
    with engine.begin() as conn:
        conn.execute(update(JobFairPlan).where(JobFairPlan.id == plan_id).values(
            status="published", published_at=dt.datetime.now(dt.UTC)))
    return {"plan_id": plan_id, "schedule": str(schedule), "county_files": county_files}


def notify(engine: Engine, campaign: Campaign, plan_id: int, county_files: dict[str, str], smtp) -> int:
    """Task 通知各县: each county's contact gets its fairs and list, once per plan. Returns how many were
    sent now."""
    from chunnuan.common import mail

    province = divisions.province(campaign.province_code)
    with engine.connect() as conn:
        fairs, _ = _stored(conn, plan_id)
    sent = 0
    for code, own in fairs.sort_values(["fair_date", "fair_no"]).groupby("county_code"):
        label = province.county_label(code)
        html = mail.render("job_fair_county_email.html.j2", county=label, campaign=campaign,
                           fairs=own.to_dict(orient="records"), lead=campaign.lead_contact)
        subject = f"【{campaign.name}】{label}春风行动招聘会安排（{len(own)} 场）与邀请名单"
        sent += mail.send_once(engine, smtp, f"job-fair-plan-{plan_id}-county-{code}", campaign.id,
                               [campaign.county_mailbox(code)], subject, html,
                               attachments=[Path(county_files[code])] if code in county_files else [])
    return sent


def tally(engine: Engine, campaign: Campaign) -> dict:
    """Task 汇总招聘会成效: the fairs counties reported held, against the latest published plan: figures for
    the report. NothingToDo while no plan is published."""
    with engine.connect() as conn:
        plan_id, _ = latest_published(conn, campaign.id, JobFairPlan)
        if plan_id < 0:
            raise NothingToDo("还没有发布的招聘会方案")
        planned = pd.read_sql(select(JobFair.fair_no, JobFair.county_code).where(JobFair.plan_id == plan_id), conn)
        held = pd.read_sql(select(FairResult).where(FairResult.campaign_id == campaign.id), conn)
    in_plan = held["fair_no"].isin(planned["fair_no"])
    counts = {f: int(held[f].sum()) for f in ("employers", "positions", "attendance", "attendance_poor", "intentions",
                                               "intentions_poor")}
    return {"plan_id": plan_id, "fairs_planned": len(planned), "fairs_held": len(held),
            "held_of_plan": int(held.loc[in_plan, "fair_no"].nunique()), "held_outside_plan": int((~in_plan).sum()),
            "counties_held": int(held["county_code"].nunique()), **counts}
