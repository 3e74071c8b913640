"""The training-class check steps the `training_class_checks` DAG runs, one function per task, no Airflow.

    extract  -> the campaign's loaded classes, the survey's training demand and each county's 返岗
                departures (the charter plan's days where a published plan exists), staged as parquet
    gate     -> the loaded class data re-checked as a whole (empty = fine): counties of the province,
                completed ≤ enrolled ≤ places, dates in order, batches conserved
    evaluate -> the compliance table per county (training.rules), stored per run, written as XLSX
    remind   -> one Chinese reminder per non-compliant county naming what is missing and by when;
                a finding is reminded once (reminded_finding), a message is sent once (sent_email)

The run's folder is config.settings.run_dir(campaign, "training", run id). Every step can be re-run with
the same result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, delete, func, select, text

from chunnuan.common import sql
from chunnuan.common.plans import latest_published
from chunnuan.common.steps import NothingToDo
from chunnuan.config import divisions, settings
from chunnuan.config.campaign import Campaign
from chunnuan.db import bulk
from chunnuan.db.models import RemindedFinding, SurveyWorker, TrainingClass, TrainingCompliance
from chunnuan.intake.kinds.training import enrolment_limit
from chunnuan.training.rules import COMPLIANT, STATUS_ORDER, Finding, compliance, dispatch_peaks, trade_gaps

COMPLIANCE_COLUMNS = {"county_code": "县区代码", "city": "市", "county": "县(市、区)", "status": "核查结果",
                      "classes": "培训班(期)", "pre_dispatch_classes": "其中送工前(期)", "places": "计划名额",
                      "enrolled": "报名人数", "completed": "结业人数", "demand": "摸排培训需求(人)",
                      "dispatch_peak": "送工高峰日", "problems": "问题及整改时限"}
GAP_COLUMNS = {"county_code": "县区代码", "county": "县(市、区)", "trade": "工种", "demand": "培训需求(人)",
               "places": "计划名额", "short": "缺口"}


def extract(engine: Engine, campaign: Campaign, folder: Path) -> dict:
    """Task 汇总培训与需求: classes, training demand and dispatch days staged in `folder`; figures for the log.
    NothingToDo when there is neither survey data nor a class yet."""
    with engine.connect() as conn:
        classes = pd.read_sql(select(TrainingClass).where(TrainingClass.campaign_id == campaign.id), conn)
        workers = conn.execute(select(func.count()).where(SurveyWorker.campaign_id == campaign.id)).scalar()
        demand = pd.read_sql(text(sql.load("training_demand.sql")), conn,
                             params={"campaign_id": campaign.id, "yes": True})
        plan_id, _ = latest_published(conn, campaign.id)
        days = pd.read_sql(text(sql.load("dispatch_days.sql")), conn,
                           params={"campaign_id": campaign.id, "plan_id": plan_id, "yes": True})
    if classes.empty and not workers:
        raise NothingToDo("还没有需求摸排数据，也没有培训班报表：请先运行需求摸排（培训班报表放入收件目录 training/）")
    folder.mkdir(parents=True, exist_ok=True)
    classes.to_parquet(folder / "classes.parquet", index=False)
    demand.to_parquet(folder / "demand.parquet", index=False)
    days.assign(day=pd.to_datetime(days["day"])).to_parquet(folder / "days.parquet", index=False)
    return {"classes": len(classes), "counties_with_classes": int(classes["county_code"].nunique()),
            "training_demand": int(demand["people"].sum()), "charter_plan": None if plan_id < 0 else plan_id}


def gate(engine: Engine, campaign: Campaign, folder: Path) -> list[str]:
    """Task 核查数据闸门: whole-table checks on the loaded classes, independent of the row checks that let them
    in. Every broken rule, in Chinese (empty: fine)."""
    classes = pd.read_parquet(folder / "classes.parquet")
    province = divisions.province(campaign.province_code)
    named = classes["county_code"] + " " + classes["class_name"]
    problems = [f"{n}：县区代码不属于{province.name}" for n in named[~classes["county_code"].isin(province.counties)]]
    rules = {
        "结业日期早于开班日期": classes["end_date"] < classes["start_date"],
        "人数为负": (classes[["places", "enrolled", "enrolled_poor", "completed", "certified"]] < 0).any(axis=1),
        "结业人数多于报名人数": classes["completed"] > classes["enrolled"],
        "取证人数多于结业人数": classes["certified"] > classes["completed"],
        "报名人数超出计划名额容差": classes["enrolled"] > enrolment_limit(classes["places"], campaign),
    }
    for rule, broken in rules.items():
        problems += [f"{n}：{rule}" for n in named[broken]]
    with engine.connect() as conn:
        broken = conn.execute(text(sql.load("batch_conservation.sql")), {"campaign_id": campaign.id}).all()
    problems += [f"报表批次 {b.id}：读取 {b.rows_read} 行 ≠ 入库 {b.loaded} + 隔离 {b.quarantined} + 合并 {b.merged}"
                 for b in broken]
    return problems


def _county_names(campaign: Campaign) -> tuple[list[str], dict[str, str], dict[str, str]]:
    province = divisions.province(campaign.province_code)
    codes = sorted(province.counties)
    return (codes, {c: province.county_label(c) for c in codes},
            {c: province.city_of(c).name for c in codes})


def _problem_lines(findings: list[Finding], as_of: dt.date) -> list[str]:
    return [f.text + ("（已逾期）" if f.due and f.due < as_of else "") for f in findings]


def evaluate(engine: Engine, campaign: Campaign, folder: Path, run_id: str, as_of: dt.date) -> dict:
    """Task 逐县核查: the compliance table, stored for this run (replacing an earlier attempt), written as XLSX, staged for
    the reminders. Returns the figures for the report."""
    classes = pd.read_parquet(folder / "classes.parquet")
    demand = pd.read_parquet(folder / "demand.parquet")
    peaks = dispatch_peaks(pd.read_parquet(folder / "days.parquet"))
    codes, labels, cities = _county_names(campaign)
    table = compliance(campaign, codes, classes, demand, peaks)
    table["county"], table["city"] = table["county_code"].map(labels), table["county_code"].map(cities)
    table["problems"] = ["；".join(_problem_lines(f, as_of)) for f in table["findings"]]

    stored = table.assign(
        campaign_id=campaign.id, run_id=run_id, checked_on=pd.Timestamp(as_of),
        city_code=table["county_code"].str[:4] + "00",
        dispatch_peak=pd.to_datetime(table["dispatch_peak"]),
        findings=[json.dumps([f.as_dict() for f in fs], ensure_ascii=False) for fs in table["findings"]])
    with engine.begin() as conn:
        conn.execute(delete(TrainingCompliance).where(TrainingCompliance.campaign_id == campaign.id,
                                                      TrainingCompliance.run_id == run_id))
        bulk.insert(conn, "training_compliance", stored[[c.name for c in TrainingCompliance.__table__.columns]])
    stored[["county_code", "county", "status", "findings"]].to_parquet(folder / "compliance.parquet", index=False)

    gaps = trade_gaps(campaign, classes, demand).assign(county=lambda g: g["county_code"].map(labels))
    out = write_workbook(campaign, table, gaps, as_of)
    counts = table["status"].value_counts()
    return {
        "campaign": campaign.id, "checked_on": as_of.isoformat(), "counties": len(table),
        **{status: int(counts.get(status, 0)) for status in STATUS_ORDER},
        "classes": int(table["classes"].sum()), "pre_dispatch_classes": int(table["pre_dispatch_classes"].sum()),
        "places": int(table["places"].sum()), "enrolled": int(table["enrolled"].sum()),
        "completed": int(table["completed"].sum()), "certified": int(classes["certified"].sum()),
        "enrolled_poor": int(classes["enrolled_poor"].sum()), "training_demand": int(table["demand"].sum()),
        "places_short": int(gaps["short"].sum()), "workbook": str(out),
    }


def write_workbook(campaign: Campaign, table: pd.DataFrame, gaps: pd.DataFrame, as_of: dt.date) -> Path:
    from openpyxl import Workbook

    from chunnuan.common.sheets import write_sheet

    out = settings.outputs_dir(campaign.id, "training") / f"培训班核查-{as_of:%Y%m%d}.xlsx"
    out.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    book.remove(book.active)
    ordered = table.assign(_o=table["status"].map({s: i for i, s in enumerate(STATUS_ORDER)})).sort_values(
        ["_o", "county_code"])
    write_sheet(book, "各县核查", ordered, COMPLIANCE_COLUMNS)
    write_sheet(book, "名额缺口", gaps, GAP_COLUMNS)
    book.save(out)
    return out


def _email_key(campaign: Campaign, county_code: str, finding_keys: list[str]) -> str:
    digest = hashlib.sha256("|".join(sorted(finding_keys)).encode()).hexdigest()[:16]
    return f"training-{campaign.id}-{county_code}-{digest}"


def remind(engine: Engine, campaign: Campaign, folder: Path, smtp, as_of: dt.date) -> dict:
    """Task 发送提醒: email each non-compliant county the findings it was not reminded of yet. `smtp` None: send nothing."""
    from chunnuan.common import mail

    table = pd.read_parquet(folder / "compliance.parquet")
    due = table[table["status"] != COMPLIANT]
    with engine.connect() as conn:
        done = set(conn.execute(select(RemindedFinding.county_code, RemindedFinding.finding_key).where(
            RemindedFinding.campaign_id == campaign.id)).tuples())
    sent = pending = 0
    for row in due.itertuples():
        findings = [Finding(**{**f, "due": dt.date.fromisoformat(f["due"]) if f["due"] else None})
                    for f in json.loads(row.findings)]
        new = [f for f in findings if (row.county_code, f.key) not in done]
        if not new:
            continue
        pending += 1
        if smtp is None:
            continue
        key = _email_key(campaign, row.county_code, [f.key for f in new])
        html = mail.render("training_reminder_email.html.j2", county=row.county, status=row.status,
                           campaign_name=campaign.name, problems=_problem_lines(new, as_of),
                           earlier=len(findings) - len(new), template_command="chunnuan template training",
                           office=f"{campaign.province}春暖行动领导小组办公室", today=as_of.isoformat())
        subject = f"【{campaign.name}】技能培训班核查提醒：{row.county}（{row.status}）"
        sent += mail.send_once(engine, smtp, key, campaign.id, [campaign.county_mailbox(row.county_code)],
                               subject, html)
        with engine.begin() as conn:  # after the message is recorded as sent, so a retry never loses a finding
            now = dt.datetime.now(dt.UTC)
            conn.execute(RemindedFinding.__table__.insert(), [
                {"campaign_id": campaign.id, "county_code": row.county_code, "finding_key": f.key, "email_key": key,
                 "reminded_at": now} for f in new])
    return {"non_compliant": len(due), "counties_with_new_findings": pending, "reminders_sent": sent}
