"""`make demo`: a whole province's county submissions through the real Airflow DAGs, on SQLite.

Resets the demo campaign's data under var/, generates a synthetic province (county surveys,
carriers' fleet files and the railway bureau's rail offers) into the landing folders, starts a local SMTP sink (var/outbox, .eml files),
runs each campaign DAG that exists with dag.test() against the Airflow home in var/airflow (the
charter plan approved automatically; the counties' training classes, shaped by the loaded survey,
arrive in a second intake run; the final report goes to the leadership office), then prints what
happened and where everything is, ending with the final report's .eml and its attachment.
`--prepare-only` sets up the same home for `make airflow` without running anything.

Expects the environment the Makefile sets (AIRFLOW_HOME, AIRFLOW_CONN_CAMPAIGN_DB, CHUNNUAN_HOME …).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
from collections import Counter
from pathlib import Path


def prepare(campaign_id: str) -> None:
    from airflow.utils.db import initdb

    from chunnuan import db
    from chunnuan_airflow.campaign_db import url

    initdb()
    db.upgrade(url())


def reset_campaign_data(campaign_id: str) -> None:
    """The demo owns var/: start from an empty campaign database and empty folders each time."""
    from chunnuan.config import settings
    from chunnuan.intake import registry
    from chunnuan_airflow.campaign_db import url

    database = url().removeprefix("sqlite:///")
    if url().startswith("sqlite") and Path(database).exists():
        for suffix in ("", "-wal", "-shm"):
            Path(database + suffix).unlink(missing_ok=True)
    landings = [settings.landing_dir(campaign_id, kind) for kind in registry.NAMES]
    for folder in (*landings, settings.staging_dir(campaign_id), settings.data_home() / "outputs" / campaign_id,
                   outbox()):
        shutil.rmtree(folder, ignore_errors=True)


def outbox() -> Path:
    from chunnuan.config import settings

    return settings.data_home() / "outbox"


def start_mail_sink():
    """The local mail server the DAGs send to (connection campaign_smtp → this port)."""
    from chunnuan.devtools import smtp_sink

    sink = smtp_sink.start(outbox())
    os.environ["AIRFLOW_CONN_CAMPAIGN_SMTP"] = json.dumps(
        {"conn_type": "generic", "host": "127.0.0.1", "port": sink.port, "extra": {"from": "chunnuan-demo@localhost"}})
    return sink


def write_demo_fleet(the_campaign, riders: int) -> Path:
    from chunnuan.config import settings
    from chunnuan.planner import write_fleet
    from chunnuan.synth.charter import fleet

    folder = settings.landing_dir(the_campaign.id, "fleet")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "运力报表-各市运输企业.csv"
    write_fleet(fleet(the_campaign, riders, supply=1.5), path)
    return path


def write_demo_rail(the_campaign) -> Path:
    from chunnuan.config import settings
    from chunnuan.synth.rail import write_offers

    folder = settings.landing_dir(the_campaign.id, "rail")
    folder.mkdir(parents=True, exist_ok=True)
    return write_offers(the_campaign, folder / "铁路运力报表-铁路局.csv")


def write_demo_rail_for_demand(the_campaign, corridors: int = 8) -> Path:
    """The bureau's revised offer once the office has sent it the survey's biggest flows (both notices: 铁路部门
    按需开行专列、加挂车厢): its first offer plus trains on the busiest (city, work city, day) corridors, each
    boarding at the station most of the city's riders are nearest to. 硬座 carriages for the riders counted
    (a whole 普速专列 when they fill 60% of one); group fare ≈ 0.16 元/km (普速硬座). A bureau's newer file
    replaces its rows, so the first offer's trains are in it again."""
    import numpy as np
    import pandas as pd
    from sqlalchemy import select

    from chunnuan import db
    from chunnuan.config import divisions, railway, settings
    from chunnuan.db.models import SurveyWorker as w
    from chunnuan.synth.rail import offers
    from chunnuan_airflow.campaign_db import url

    with db.engine(url()).connect() as conn:
        riders = pd.read_sql(select(w.home_county_code, w.work_county_code, w.work_city_code, w.trip_type,
                                    w.travel_date, w.flex_days).where(w.campaign_id == the_campaign.id, w.needs_charter.is_(True)),
                             conn)
    stations = the_campaign.rail.station_list()
    work = riders["work_county_code"].fillna(riders["work_city_code"])
    riders = riders[work.notna() & (work.fillna("").str[:2] != riders["home_county_code"].str[:2])]
    work = work[riders.index]
    back = riders["trip_type"] == "返岗"
    start = riders["home_county_code"].where(back, work)
    end = work.where(back, riders["home_county_code"])
    at = {c: railway.nearest(c, stations) for c in set(start) | set(end)}
    flows = pd.DataFrame({"city": start.map(divisions.city_code), "station": start.map(lambda c: at[c].name),
                          "to": end.map(lambda c: at[c].name), "day": pd.to_datetime(riders["travel_date"]),
                          "flex": riders["flex_days"]})
    # riders who may travel on each day of their corridor (planned date ± flex days)
    size = pd.DataFrame([(city, to, day, int(((g["day"] - day).abs().dt.days <= g["flex"]).sum()))
                         for (city, to), g in flows.groupby(["city", "to"]) for day in g["day"].unique()],
                        columns=["city", "to", "day", "n"])
    size = size.sort_values("n", ascending=False, kind="stable").drop_duplicates(["city", "to"])
    board = flows.groupby(["city", "station"]).size().rename("k").reset_index().sort_values(
        ["city", "k", "station"], ascending=[True, False, True]).drop_duplicates("city").set_index("city")["station"]
    carriage, whole = railway.CARRIAGE_TYPES["硬座"].seats, 1298
    busiest = size[size["n"] >= 0.6 * carriage].nlargest(corridors, "n")
    first = offers(the_campaign)
    by_name = {s.name: s for s in stations}
    rows = []
    for i, r in enumerate(busiest.itertuples()):
        origin, destination = by_name[board[r.city]], by_name[r.to]
        km = railway.distance_km(origin.place_code, destination.place_code) * 1.3
        train = r.n >= 0.6 * whole
        rows.append({**first.iloc[0].to_dict(), "车次": f"{'L' if train else 'K'}{6001 + i}",
                     "日期": r.day.date().isoformat(), "始发站": origin.name, "到达站": destination.name, "经停站": "",
                     "车厢类型": "硬座", "每厢定员": str(carriage),
                     "可提供车厢数": "整列" if train else str(int(np.clip(round(r.n / carriage), 1, 20))),
                     "整列定员": str(whole) if train else "", "团体票价": str(max(30, round(0.16 * km))),
                     "联系电话": f"{first.iloc[0]['联系电话'][:-2]}{90 + i:02d}"})
    folder = settings.landing_dir(the_campaign.id, "rail")
    path = folder / "铁路运力报表-铁路局-按需加开.csv"
    pd.concat([first, pd.DataFrame(rows, columns=first.columns)]).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def write_demo_classes(the_campaign, seed: int) -> list[Path]:
    """Training classes per city, shaped by the training demand the survey intake loaded."""
    import pandas as pd
    from sqlalchemy import text

    from chunnuan import db
    from chunnuan.common import sql
    from chunnuan.config import settings
    from chunnuan.synth.training import synthetic_classes, write_class_files
    from chunnuan_airflow.campaign_db import url

    with db.engine(url()).connect() as conn:
        demand = pd.read_sql(text(sql.load("training_demand.sql")), conn,
                             params={"campaign_id": the_campaign.id, "yes": True})
    classes = synthetic_classes(the_campaign, demand, seed)
    return write_class_files(the_campaign, classes, settings.landing_dir(the_campaign.id, "training"))


def write_demo_openings(the_campaign, workers: int, seed: int) -> Path:
    from chunnuan.config import settings
    from chunnuan.synth.activity import opening_rows
    from chunnuan.synth.openings import openings

    folder = settings.landing_dir(the_campaign.id, "openings")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "岗位信息归集表-全省.csv"
    opening_rows(the_campaign, openings(the_campaign, max(200, workers // 10), seed)).to_csv(
        path, index=False, encoding="utf-8-sig")
    return path


def write_demo_activity(the_campaign, seed: int) -> list[Path]:
    """Fair results of the published rollout held by the deadline, weekly service-item progress, and the
    departments' highlights and problems."""
    import pandas as pd
    from sqlalchemy import select

    from chunnuan import db
    from chunnuan.common.plans import latest_published
    from chunnuan.config import settings
    from chunnuan.db.models import JobFair, JobFairPlan
    from chunnuan.report.reconcile import system_values
    from chunnuan.report.steps import collect
    from chunnuan.synth.activity import fair_results, highlights, service_progress
    from chunnuan_airflow.campaign_db import url

    with db.engine(url()).connect() as conn:
        plan_id, _ = latest_published(conn, the_campaign.id, JobFairPlan)
        fairs = pd.read_sql(select(JobFair).where(JobFair.plan_id == plan_id), conn)
    deadline = the_campaign.report.deadline
    weeks = [deadline - dt.timedelta(days=7 * k) for k in range(3, -1, -1)]
    results = fair_results(the_campaign, fairs, deadline, seed)
    # The departments' typed figures add up to what the system holds (riders: those who boarded, by the returns
    # loaded; subsidies: those paid, by the claims; fairs: the results about to be sent in).
    counted = system_values(collect(db.engine(url()), the_campaign, deadline)) | {"fairs_held": len(results)}
    paths = []
    for kind, name, frame in (("fair_results", "招聘会成效报表-全省.csv", results),
                              ("progress", "服务项目进展表-全省.csv", service_progress(the_campaign, weeks, seed, counted)),
                              ("highlights", "亮点工作和存在问题报表-全省.csv", highlights(the_campaign, deadline, seed))):
        folder = settings.landing_dir(the_campaign.id, kind)
        folder.mkdir(parents=True, exist_ok=True)
        frame.to_csv(folder / name, index=False, encoding="utf-8-sig")
        paths.append(folder / name)
    return paths


def write_demo_returns(the_campaign, seed: int) -> dict:
    """The carriers' workbooks of the published plan, filled and sent back: most trips, a few no-shows, one 超员
    trip, one trip not run; the last three trips' returns have not come yet."""
    from sqlalchemy import text

    from chunnuan import db
    from chunnuan.charter.steps import outputs_dir
    from chunnuan.common.plans import latest_published
    from chunnuan.config import settings
    from chunnuan.synth.returns import fill_carrier_workbook
    from chunnuan_airflow.campaign_db import url

    with db.engine(url()).connect() as conn:
        plan_id, _ = latest_published(conn, the_campaign.id)
        trips = conn.execute(text("SELECT trip_id, carrier_uscc FROM charter_trip WHERE plan_id = :p "
                                  "ORDER BY travel_date, trip_id"), {"p": plan_id}).all()
    if not trips:
        return {"files": 0}
    cases = {"overcrowded": frozenset([trips[len(trips) // 2][0]]), "not_run": frozenset([trips[1][0]]),
             "unreturned": frozenset(t for t, _ in trips[-3:])}
    landing = settings.landing_dir(the_campaign.id, "trip_returns")
    made = []
    for path in sorted((outputs_dir(the_campaign.id, plan_id) / "carriers").glob("*.xlsx")):
        if all(t in cases["unreturned"] for t, uscc in trips if path.stem.endswith(uscc)):
            continue  # nothing of this carrier has come back yet
        made.append(fill_carrier_workbook(path, landing / f"包车回执-{path.name}", seed=seed, **cases))
    return {"files": len(made), **{k: sum(m[k] for m in made) for k in ("trips", "boarded", "no_shows", "switched")},
            "overcrowded": sorted(cases["overcrowded"]), "not_run": sorted(cases["not_run"]),
            "unreturned": len(cases["unreturned"])}


def write_demo_claims(the_campaign, seed: int) -> Path | None:
    """Guangxi's counties' claims return of the transport subsidy, from the rosters the intake published."""
    import pandas as pd
    from sqlalchemy import select

    from chunnuan import db
    from chunnuan.config import settings
    from chunnuan.db.models import SurveyWorker
    from chunnuan.synth.claims import claims_return
    from chunnuan_airflow.campaign_db import url

    if the_campaign.subsidy is None:
        return None
    with db.engine(url()).connect() as conn:
        names = pd.read_sql(select(SurveyWorker.id_number, SurveyWorker.name)
                            .where(SurveyWorker.campaign_id == the_campaign.id), conn)
    rows = claims_return(the_campaign, dict(zip(names["id_number"], names["name"], strict=True)),
                         the_campaign.window.start.year, seed)
    folder = settings.landing_dir(the_campaign.id, "subsidy_claims")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "补助申领核验表-全省.csv"
    rows.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def outcome_report(the_campaign) -> dict:
    """What the returns and the claims say, as the report puts it."""
    from chunnuan import db
    from chunnuan.report.outcomes import plan_outcome, sentence
    from chunnuan.subsidy import figures
    from chunnuan_airflow.campaign_db import url

    engine = db.engine(url())
    outcome = plan_outcome(engine, the_campaign)
    return {"charter": sentence(outcome, outcome["trips"]) if outcome else "",
            "subsidy": figures.sentence(figures.county_figures(engine, the_campaign))}


def rail_report(the_campaign) -> str:
    """The published plan's riders by mode, 专列 and reserved carriages (SQL over the plan, as the report)."""
    from chunnuan import db
    from chunnuan.report import rail
    from chunnuan_airflow.campaign_db import url

    f = rail.province_figures(db.engine(url()), the_campaign.id)
    return (f"按出行方式：包车 {f['coach']} 人、铁路 {f['rail']} 人（其中接驳车送站 {f['feeder']} 人）、"
            f"集中购票 {f['referred']} 人；专列 {f['trains']} 趟次、包车厢 {f['reserved_carriages']} 节"
            f"（团体票名单：各版方案目录 trains/ 按列车）")


def job_fair_report(campaign_id: str) -> dict | None:
    from chunnuan import db
    from chunnuan.common.plans import latest_published
    from chunnuan.db.models import JobFairPlan
    from chunnuan.job_fairs.steps import outputs_dir
    from chunnuan_airflow.campaign_db import url

    with db.engine(url()).connect() as conn:
        plan_id, summary = latest_published(conn, campaign_id, JobFairPlan)
    return None if summary is None else {"id": plan_id, "summary": summary, "outputs": outputs_dir(campaign_id, plan_id)}


def training_report(campaign_id: str) -> dict:
    from sqlalchemy import text

    from chunnuan import db
    from chunnuan.config import settings
    from chunnuan_airflow.campaign_db import url

    with db.engine(url()).connect() as conn:
        statuses = dict(conn.execute(text(
            "SELECT status, COUNT(*) FROM training_compliance WHERE campaign_id = :c AND run_id = "
            "(SELECT MAX(run_id) FROM training_compliance WHERE campaign_id = :c) GROUP BY status"),
            {"c": campaign_id}).all())
    books = sorted(settings.outputs_dir(campaign_id, "training").glob("*.xlsx"))
    return {"statuses": statuses, "workbook": books[-1] if books else None}


def run_dag(dag_id: str, conf: dict):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    if bag.import_errors:
        raise SystemExit(f"DAG 文件导入失败：{bag.import_errors}")
    run = bag.get_dag(dag_id).test(run_conf=conf)
    states = Counter(ti.state for ti in run.get_task_instances())
    return run, states


def survey_report(campaign_id: str) -> dict:
    from sqlalchemy import text

    from chunnuan import db
    from chunnuan_airflow.campaign_db import url

    with db.engine(url()).connect() as conn:
        totals = conn.execute(text(
            "SELECT COUNT(*), SUM(rows_read), SUM(rows_loaded), SUM(rows_quarantined), SUM(rows_merged) "
            "FROM submission_batch WHERE campaign_id = :c AND status = 'loaded'"), {"c": campaign_id}).one()
        rejected = conn.execute(text(
            "SELECT file_name, error FROM submission_batch WHERE campaign_id = :c AND status = 'rejected'"),
            {"c": campaign_id}).all()
        codes = Counter()
        for (joined,) in conn.execute(text("SELECT codes FROM quarantined_row")):
            codes.update(joined.split(","))
    return {"files_loaded": totals[0], "rows_read": totals[1], "rows_loaded": totals[2],
            "rows_quarantined": totals[3], "rows_merged": totals[4], "rejected": rejected,
            "quarantine_codes": dict(codes.most_common())}


def charter_report(campaign_id: str) -> dict | None:
    from chunnuan import db
    from chunnuan.charter.steps import outputs_dir
    from chunnuan.common.plans import latest_published
    from chunnuan_airflow.campaign_db import url

    with db.engine(url()).connect() as conn:
        plan_id, summary = latest_published(conn, campaign_id)
    if summary is None:
        return None
    return {"id": plan_id, "summary": summary, "outputs": outputs_dir(campaign_id, plan_id)}


def summary_report(campaign_id: str) -> str:
    """What the final summary says beyond its tables: new since the weekly, departments, the two sources."""
    from sqlalchemy import text

    from chunnuan import db
    from chunnuan_airflow.campaign_db import url

    with db.engine(url()).connect() as conn:
        versions = conn.execute(text("SELECT version, as_of FROM report_version WHERE campaign_id = :c ORDER BY as_of"),
                                {"c": campaign_id}).all()
        reminders = conn.execute(text("SELECT key FROM sent_email WHERE campaign_id = :c AND key LIKE 'department-%' "
                                      "ORDER BY key"), {"c": campaign_id}).scalars().all()
    final = [k.rsplit("-", 1)[-1] for k in reminders if "-final-" in k]
    html = settings_outputs(campaign_id) / "final" / "report.html"
    body = html.read_text(encoding="utf-8") if html.exists() else ""
    sections = [s for s in ("一、基本情况", "二、主要做法和成效", "三、存在的问题", "四、下一步打算") if s in body]
    return (f"  报告版本：{', '.join(f'{v}（截至 {d}）' for v, d in versions)}；总结各部分：{'、'.join(sections)}\n"
            f"  催报部门邮件 {len(reminders)} 封（周报期 {len(reminders) - len(final)} 封，总结期 {len(final)} 封："
            f"{'、'.join(final)}）\n"
            f"  两源核对（部门填报 / 系统记录 / 核对）：{'；'.join(_two_sources(campaign_id)) or '无'}\n"
            f"  两源核对超出容差：{'；'.join(_gap_lines(body)) or '无'}")


def settings_outputs(campaign_id: str) -> Path:
    from chunnuan.config import settings

    return settings.outputs_dir(campaign_id, "report")


def _two_sources(campaign_id: str) -> list[str]:
    """Each row of the final workbook's 两源核对 sheet, in one phrase."""
    from openpyxl import load_workbook

    found = sorted((settings_outputs(campaign_id) / "final").glob("*.xlsx"))
    if not found:
        return []
    sheet = load_workbook(found[0], read_only=True)["两源核对"]
    return [f"{figure} {'未报送' if typed in (None, '') else f'{typed:,.0f}'} / {system:,}（{counterpart}）{check}"
            for _, figure, _, typed, counterpart, system, _, check in sheet.iter_rows(min_row=2, values_only=True)]


def _gap_lines(body: str) -> list[str]:
    """The two-source gaps the report names under its 部门填报与系统记录对照 table."""
    import html
    import re

    return [html.unescape(m) for m in re.findall(r"<li>(「[^<]*请核实)</li>", body)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--campaign", default="guangxi-2024")
    parser.add_argument("--workers", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--prepare-only", action="store_true")
    args = parser.parse_args()

    from chunnuan.config import campaign, settings
    from chunnuan_airflow.campaign_db import url

    the_campaign = campaign.load(args.campaign)
    if args.prepare_only:
        prepare(args.campaign)
        print(f"Airflow 主目录：{os.environ['AIRFLOW_HOME']}；行动数据库：{url()}")
        return 0

    reset_campaign_data(args.campaign)
    prepare(args.campaign)
    from chunnuan.synth.survey import generate

    landing = settings.landing_dir(args.campaign, "survey")
    synth = generate(the_campaign, args.workers, args.seed, landing)
    print(f"已生成模拟报表：{synth['files']} 个文件，{synth['rows']} 行 → {landing}")
    shape = synth["shape"]
    print(f"  本省籍 {shape['native']} 人（在省内务工 {shape['native_working_in_province']} 人），外省籍 {shape['inbound']} 人"
          f"（需包车 返岗 {shape['inbound_charter_requests']['返岗']} 人、返乡 {shape['inbound_charter_requests']['返乡']} 人）；"
          f"重点群体 {json.dumps(shape['priority_groups'], ensure_ascii=False)}，兼属多类 {shape['in_several_groups']} 人")
    fleet_file = write_demo_fleet(the_campaign, args.workers)
    print(f"已生成模拟运力报表：{fleet_file}")
    print(f"已生成模拟铁路运力报表：{write_demo_rail(the_campaign)}")
    openings_file = write_demo_openings(the_campaign, args.workers, args.seed)
    print(f"已生成模拟岗位信息归集表：{openings_file}")
    sink = start_mail_sink()

    run, states = run_dag("survey_intake", {"campaign": args.campaign})
    class_files = write_demo_classes(the_campaign, args.seed)
    print(f"已生成铁路局按需加开的运力报表：{write_demo_rail_for_demand(the_campaign)}")
    print(f"已生成模拟培训班报表：{len(class_files)} 个文件 → {class_files[0].parent}")
    training_intake_run, _ = run_dag("survey_intake", {"campaign": args.campaign})
    survey = survey_report(args.campaign)
    charter_run, charter_states = run_dag("charter_bus_planning", {"campaign": args.campaign, "auto_approve": True})
    charter_emails = len(list(outbox().glob("*.eml")))
    # Checked on the Monday two weeks after the campaign starts, as the weekly schedule would.
    as_of = the_campaign.window.start + dt.timedelta(days=14 - the_campaign.window.start.weekday())
    training_run, training_states = run_dag("training_class_checks",
                                            {"campaign": args.campaign, "as_of": as_of.isoformat()})
    before_fairs = len(list(outbox().glob("*.eml")))
    fair_start = the_campaign.job_fairs.window.start
    fair_run, fair_states = run_dag("job_fair_rollout", {"campaign": args.campaign, "as_of": fair_start.isoformat()})
    fair_emails = len(list(outbox().glob("*.eml"))) - before_fairs
    # The weekly report a week before the deadline, before the departments' figures and the fair results came
    # in: the final summary then shows what is new since (新增), and the departments are reminded once.
    week_before = the_campaign.report.deadline - dt.timedelta(days=7)
    weekly_run, _ = run_dag("campaign_report", {"campaign": args.campaign, "as_of": week_before.isoformat()})
    returns = write_demo_returns(the_campaign, args.seed)
    print(f"已生成模拟包车回执：{returns}")
    claims_file = write_demo_claims(the_campaign, args.seed)
    if claims_file:
        print(f"已生成模拟补助申领核验表：{claims_file}")
    # The returns and claims are loaded before the departments type their figures, so that those add up to the
    # riders who boarded and the subsidies paid (report.reconcile compares them).
    returns_intake_run, _ = run_dag("survey_intake", {"campaign": args.campaign})
    activity_files = write_demo_activity(the_campaign, args.seed)
    print(f"已生成模拟招聘会成效、服务项目进展、亮点工作和存在问题报表：{', '.join(str(p) for p in activity_files)}")
    activity_intake_run, _ = run_dag("survey_intake", {"campaign": args.campaign})
    tally_run, _ = run_dag("job_fair_rollout", {"campaign": args.campaign,
                                                "as_of": the_campaign.report.deadline.isoformat()})
    before_report = set(outbox().glob("*.eml"))
    # The final summary, as the office receives it on the deadline.
    report_run, report_states = run_dag("campaign_report",
                                        {"campaign": args.campaign, "as_of": the_campaign.report.deadline.isoformat()})
    sink.stop()
    plan = charter_report(args.campaign)
    training = training_report(args.campaign)
    outcome = outcome_report(the_campaign)
    fairs = job_fair_report(args.campaign)

    print("\n" + "=" * 72)
    print(f"春暖 · {the_campaign.province} · {the_campaign.name}")
    print("=" * 72)
    print(f"需求摸排 survey_intake：运行状态 {run.state}（任务 {dict(states)}）")
    print(f"  入库文件 {survey['files_loaded']} 个：读取 {survey['rows_read']} 行 = 入库 {survey['rows_loaded']}"
          f" + 隔离 {survey['rows_quarantined']} + 重复合并 {survey['rows_merged']}")
    print(f"  隔离原因：{json.dumps(survey['quarantine_codes'], ensure_ascii=False)}")
    print(f"  模拟数据中注入的错误（答案）：{landing / '_truth' / 'injected.csv'}")
    for name, error in survey["rejected"]:
        print(f"  整批退回 {name}：{error}")
    print(f"\n点对点包车 charter_bus_planning：运行状态 {charter_run.state}（任务 {dict(charter_states)}）")
    if plan:
        s = plan["summary"]
        print(f"  方案第 {plan['id']} 版：包车需求 {s['requests']} 人，安排包车 {s['chartered']} 人，{s['trips']} 车次，"
              f"费用 {s['cost']:,.0f} 元（下界 {s['lower_bound']:,.0f}，比值 {s['cost_to_bound']}），"
              f"转集中购票 {s['referred']} 人")
    print(f"  {rail_report(the_campaign)}")
    print(f"  包车执行情况（包车回执）：{outcome['charter'] or '无'}")
    if outcome["subsidy"]:
        print(f"  {outcome['subsidy']}")
    print(f"\n培训班核查 training_class_checks（核查日期 {as_of}）：运行状态 {training_run.state}"
          f"（任务 {dict(training_states)}）")
    print(f"  各县核查结果：{json.dumps(training['statuses'], ensure_ascii=False)}；"
          f"提醒邮件 {len(list(outbox().glob('*.eml'))) - charter_emails} 封")
    print(f"\n招聘会 job_fair_rollout（规划日期 {fair_start}）：运行状态 {fair_run.state}（任务 {dict(fair_states)}）")
    if fairs:
        s = fairs["summary"]
        print(f"  方案第 {fairs['id']} 版：{s['counties']} 个县 {s['fairs']} 场（{json.dumps(s['sessions'], ensure_ascii=False)}）；"
              f"求职者 {s['seekers']} 人，推荐到岗位 {s['matched']} 人（首选 {json.dumps(s['by_tier'], ensure_ascii=False)}），"
              f"未匹配 {s['unmatched']} 人；岗位 {s['openings']} 个 {s['places']} 名；通知各县邮件 {fair_emails} 封")
    report_emails = sorted(set(outbox().glob("*.eml")) - before_report)
    print(f"\n行动总结 campaign_report（工作总结，截至 {the_campaign.report.deadline}）：运行状态 {report_run.state}"
          f"（任务 {dict(report_states)}）")
    print(summary_report(args.campaign))
    emails = sorted(outbox().glob("*.eml"))
    print("\n输出位置：")
    print(f"  行动数据库      {url()}")
    print(f"  问题清单        {settings.data_home() / 'outputs' / args.campaign / 'feedback'}")
    if plan:
        print(f"  包车名单 XLSX   {plan['outputs']}（carriers/ 按承运企业，counties/ 按县）")
    if training["workbook"]:
        print(f"  培训班核查 XLSX {training['workbook']}")
    if fairs:
        print(f"  招聘会安排 XLSX {fairs['outputs']}（counties/ 按县：安排与邀请企业、求职者推荐岗位）")
    print(f"  邮件 (.eml)     {outbox()}（{len(emails)} 封）")
    for path in emails[:3]:
        print(f"                  {path}")
    if len(emails) > 3:
        print(f"                  … 共 {len(emails)} 封")
    print(f"  Airflow 主目录  {os.environ['AIRFLOW_HOME']}（make airflow 打开界面查看同一份数据）")
    report_dir = settings.outputs_dir(args.campaign, "report") / "final"
    for path in report_emails:
        print(f"\n工作总结及催报邮件 (.eml)：{path}")
    for path in sorted(report_dir.glob("*")):
        print(f"工作总结附件/正文：{path}")
    ok = survey["rows_read"] == survey["rows_loaded"] + survey["rows_quarantined"] + survey["rows_merged"]
    runs = (run, training_intake_run, charter_run, training_run, fair_run, weekly_run, returns_intake_run,
            activity_intake_run, tally_run, report_run)
    ok = ok and all(r.state == "success" for r in runs)
    print(f"\n行数守恒、各 DAG 成功：{'是' if ok else '否！'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
