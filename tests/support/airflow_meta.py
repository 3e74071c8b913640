"""Reading Airflow's metadata DB in tests (what the UI would show)."""

from __future__ import annotations


def asset_events(name: str | None = None) -> list[dict]:
    """Extras of the asset events in Airflow's metadata DB, oldest first."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    query = select(AssetEvent).order_by(AssetEvent.id)
    if name is not None:
        query = query.join(AssetModel, AssetModel.id == AssetEvent.asset_id).where(AssetModel.name == name)
    with create_session() as session:
        return [e.extra for e in session.scalars(query)]
