"""The plan in force: the newest published charter or job-fair plan of a campaign."""

from __future__ import annotations

import json

from sqlalchemy import select

from chunnuan.db.models import CharterPlan


def latest_published(conn, campaign_id: str, model=CharterPlan) -> tuple[int, dict | None]:
    """(id, summary) of the campaign's newest published plan (charter, or job-fair with model=JobFairPlan);
    (-1, None) when there is none (-1 matches no plan in SQL, so queries joining on it count nothing)."""
    row = conn.execute(select(model.id, model.summary).where(
        model.campaign_id == campaign_id, model.status == "published")
        .order_by(model.id.desc()).limit(1)).first()
    return (-1, None) if row is None else (row.id, json.loads(row.summary))
