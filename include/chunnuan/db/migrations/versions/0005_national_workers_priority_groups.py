"""national workers and priority groups

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 08:00:00

survey_worker.poverty_status becomes priority_groups; native, served_by_code, work_city_code and
work_county_code are added; job_recommendation.home_county_code is renamed served_by_code (the county
whose clerk gets the list).

Every row loaded before this migration came through a gate that took home counties of the campaign's
province only, so it is 本省籍 and served by its home county. The work place's codes are resolved from
the stored names with the division data (the same resolver the intake uses today); a name that no
longer resolves keeps NULL, which the planner reports as an unknown work city, as it did before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POVERTY_GROUPS = ("脱贫人口", "监测对象")  # the only values poverty_status had besides 否


def upgrade() -> None:
    with op.batch_alter_table("survey_worker", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority_groups", sa.String(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("native", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("served_by_code", sa.String(length=6), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("work_city_code", sa.String(length=6), nullable=True))
        batch_op.add_column(sa.Column("work_county_code", sa.String(length=6), nullable=True))
    conn = op.get_bind()
    conn.execute(sa.text(
        "UPDATE survey_worker SET served_by_code = home_county_code, "
        "priority_groups = CASE WHEN poverty_status = '否' THEN '' ELSE poverty_status END"))
    _fill_work_codes(conn)
    with op.batch_alter_table("survey_worker", schema=None) as batch_op:
        batch_op.drop_column("poverty_status")
        batch_op.alter_column("priority_groups", server_default=None)
        batch_op.alter_column("native", server_default=None)
        batch_op.alter_column("served_by_code", server_default=None)
        batch_op.create_index("ix_survey_worker_served_by", ["served_by_code"], unique=False)
    with op.batch_alter_table("job_recommendation", schema=None) as batch_op:
        batch_op.alter_column("home_county_code", new_column_name="served_by_code")


def _fill_work_codes(conn) -> None:
    from chunnuan.config import divisions

    places = conn.execute(sa.text("SELECT DISTINCT work_province, work_city FROM survey_worker")).all()
    for province, city in places:
        place = divisions.work_place(province, city)
        if place is None:
            continue
        conn.execute(sa.text("UPDATE survey_worker SET work_city_code = :city, work_county_code = :county "
                             "WHERE work_province = :province AND work_city = :name"),
                     {"city": divisions.city_code(place.code), "county": place.code if place.level == "county" else None,
                      "province": province, "name": city})


def downgrade() -> None:
    """Back to one poverty column: the first of 脱贫人口/监测对象 a worker has, else 否. Other groups (the
    Shandong ones) and 外省籍 workers' service units have no place in the old schema and are dropped."""
    with op.batch_alter_table("job_recommendation", schema=None) as batch_op:
        batch_op.alter_column("served_by_code", new_column_name="home_county_code")
    with op.batch_alter_table("survey_worker", schema=None) as batch_op:
        batch_op.add_column(sa.Column("poverty_status", sa.String(length=10), nullable=False, server_default="否"))
    cases = " ".join(f"WHEN '、' || priority_groups || '、' LIKE '%、{g}、%' THEN '{g}'" for g in POVERTY_GROUPS)
    op.get_bind().execute(sa.text(f"UPDATE survey_worker SET poverty_status = CASE {cases} ELSE '否' END"))
    with op.batch_alter_table("survey_worker", schema=None) as batch_op:
        batch_op.alter_column("poverty_status", server_default=None)
        batch_op.drop_index("ix_survey_worker_served_by")
        batch_op.drop_column("work_county_code")
        batch_op.drop_column("work_city_code")
        batch_op.drop_column("served_by_code")
        batch_op.drop_column("native")
        batch_op.drop_column("priority_groups")
