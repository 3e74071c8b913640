"""The railway's group-ticket lists (团体票乘车人名单) of a published charter plan: one XLSX per train under
outputs/<行动>/charter/plan-N/trains/<train_id>.xlsx (train_id = "YYYYMMDD-车次").

Each file opens with a 列车信息 sheet (车次, 日期, stations, per carriage: type, 定员, riders) and then one
sheet per carriage ("第N车厢"): 序号, 姓名, 身份证号, 上车站, 到达站, one row per rider — real-name group
tickets are bought per carriage, and the railway checks each carriage's list against its 定员 (the planner
never seats more). The files hold ID numbers: they stay in the system. Like the carriers' and counties'
workbooks they are never attached to an email; the railway is told by email that its lists are ready and
where (per bureau; trains, carriages and counts only), through the department answering for 集中购票
(travel.group_tickets) where the campaign file gives it a mailbox, else the campaign's office, which
passes the word on to the bureau's contact named on its offer.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from sqlalchemy import Engine, and_, select

from chunnuan.charter import rail
from chunnuan.common.sheets import safe_file_name, write_sheet
from chunnuan.config.campaign import Campaign
from chunnuan.db.models import CharterAssignment, SurveyWorker

LIST_COLUMNS = {"seq": "序号", "name": "姓名", "id_number": "身份证号", "board_station": "上车站",
                "arrive_station": "到达站"}
CAR_SHEET_COLUMNS = {"carriage_no": "车厢号", "carriage_type": "车厢类型", "capacity": "定员", "riders": "乘车人数",
                     "from_station": "始发站", "to_station": "到达站"}
INFO_SHEET = "列车信息"
GROUP_TICKETS = "travel.group_tickets"  # the service figure the railway answers for (campaign departments)


def carriage_sheet(carriage_no: int) -> str:
    return f"第{int(carriage_no)}车厢"


def rail_riders(engine: Engine, campaign: Campaign, plan_id: int) -> pd.DataFrame:
    """The plan's riders seated on a train, with their names (one row each)."""
    a, w = CharterAssignment, SurveyWorker
    query = (select(a.id_number, w.name, a.train_id, a.carriage_no, a.board_station, a.arrive_station)
             .select_from(a).outerjoin(w, and_(w.campaign_id == campaign.id, w.id_number == a.id_number))
             .where(a.plan_id == plan_id, a.train_id.is_not(None)))
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def write_lists(engine: Engine, campaign: Campaign, plan_id: int, out_dir: Path) -> dict:
    """<train_id>.xlsx per train under out_dir (a re-run rewrites the set); returns per train the figures
    the railway's notice names (no personal data)."""
    with engine.connect() as conn:
        cars = rail.cars(conn, plan_id)
    riders = rail_riders(engine, campaign, plan_id).sort_values(
        ["train_id", "carriage_no", "board_station", "name", "id_number"], kind="stable")
    riders["seq"] = riders.groupby(["train_id", "carriage_no"]).cumcount() + 1
    out_dir = Path(out_dir)
    for old in out_dir.glob("*.xlsx"):
        old.unlink()
    trains = []
    for train_id, train_cars in cars.sort_values(["train_id", "carriage_no"]).groupby("train_id", sort=True):
        aboard = riders[riders["train_id"] == train_id]
        book = Workbook()
        book.remove(book.active)
        write_sheet(book, INFO_SHEET, train_cars, CAR_SHEET_COLUMNS)
        for car in train_cars["carriage_no"]:
            write_sheet(book, carriage_sheet(car), aboard[aboard["carriage_no"] == car], LIST_COLUMNS)
        out_dir.mkdir(parents=True, exist_ok=True)
        book.save(out_dir / f"{safe_file_name(train_id)}.xlsx")
        first = train_cars.iloc[0]
        trains.append({"train_id": train_id, "train_no": first["train_no"], "date": first["date"],
                       "mode": first["mode"], "bureau": first["bureau"], "from_station": first["from_station"],
                       "to_station": first["to_station"], "carriages": len(train_cars),
                       "riders": int(len(aboard)), "file": f"{safe_file_name(train_id)}.xlsx"})
    return {"trains": trains}


def railway_mailbox(campaign: Campaign) -> str | None:
    """Who is told the lists are ready: the department answering for 集中购票 when it has a mailbox, else the
    campaign's office (None when neither has one)."""
    railway = next((d for d in campaign.departments if GROUP_TICKETS in d.items and d.email), None)
    if railway is not None:
        return railway.email
    return str(campaign.lead_contact.email) if campaign.lead_contact.email else None


def notify_railway(engine: Engine, campaign: Campaign, smtp, plan_id: int, trains: list[dict], folder: str) -> int:
    """One email per bureau (once per plan): its trains and where their lists are. Returns how many sent."""
    import datetime as dt

    from chunnuan.common import mail

    to = railway_mailbox(campaign)
    if smtp is None or to is None or not trains:
        return 0
    direct = any(GROUP_TICKETS in d.items and d.email for d in campaign.departments)
    sent = 0
    for bureau, mine in pd.DataFrame(trains).groupby("bureau", sort=True):
        html = mail.render("charter_rail_email.html.j2", bureau=bureau, trains=mine.to_dict("records"),
                           plan_id=plan_id, campaign_name=campaign.name, folder=folder, direct=direct,
                           office=f"{campaign.province}春暖行动领导小组办公室", today=dt.date.today().isoformat())
        subject = f"【{campaign.name}】专列（车厢）团体票乘车人名单已生成（第{plan_id}版）：{bureau}"
        sent += mail.send_once(engine, smtp, f"charter-plan-{plan_id}-rail-{bureau}", campaign.id, [to], subject, html)
    return sent
