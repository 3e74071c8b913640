"""What the carriers' returned manifests (包车回执, intake kind `trip_returns`) set off: the 超员 alert.

A trip returned with more riders than seats is a safety finding (the notices: 不坐"超员车", 强化车辆动态监管).
Its row is loaded and flagged by the intake; this step tells the coordinators at once, by email, one message
per trip and head count (a corrected return with another count is news; the same one is not). The message
names the trip, route, carrier, plate and counts: no rider, no ID number, no phone.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

from chunnuan.common import sql
from chunnuan.config.campaign import Campaign


def overcrowded_trips(engine: Engine, campaign: Campaign) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(text(sql.load("returns_overcrowded.sql")), {"campaign_id": campaign.id}).mappings().all()
    return [dict(r) for r in rows]


def _line(trip: dict) -> str:
    departed = str(trip["departed_at"])[:16] if trip["departed_at"] else "未填"
    return (f"车次 {trip['trip_id']}（{trip['travel_date']}，{trip['route'] or '线路未知'}，"
            f"承运企业 {trip['carrier'] or '未知'}，车牌 {trip['plate'] or '未填'}，发车 {departed}）："
            f"核定 {trip['seats']} 座，实载 {trip['riders']} 人，超员 {trip['riders'] - trip['seats']} 人")


def alert_overcrowding(engine: Engine, campaign: Campaign, smtp) -> dict:
    """Task 超员告警: email the coordinators about each 超员 trip not alerted yet. `smtp` None: nothing sent, the
    trips are still counted (the caller says so)."""
    from chunnuan.report.steps import alert_coordinators

    trips = overcrowded_trips(engine, campaign)
    sent = 0
    for trip in trips if smtp is not None else ():
        sent += alert_coordinators(
            engine, campaign, smtp, f"overcrowded-{campaign.id}-{trip['trip_id']}-{trip['riders']}",
            f"超员告警：车次 {trip['trip_id']}", [_line(trip)],
            intro=f"{campaign.name}“点对点”包车回执显示以下车次超员，请立即核实并督促承运企业整改：",
            closing="乘车人员名单见该承运企业交回的包车回执（保存在系统中）。严禁超员：请核实后依规处理。")
    return {"overcrowded": len(trips), "alerts_sent": sent, "trips": [t["trip_id"] for t in trips]}
