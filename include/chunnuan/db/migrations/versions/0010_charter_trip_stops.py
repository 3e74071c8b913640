"""拼车: pooled trips' stops; longer route ids (a pooled route names every stop)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 10:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("charter_trip", schema=None) as batch_op:
        batch_op.alter_column("route_id", existing_type=sa.String(length=20), type_=sa.String(length=120),
                              existing_nullable=False)
        batch_op.add_column(sa.Column("stops", sa.Text(), nullable=True))
    op.create_table(
        "charter_trip_stop",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("trip_id", sa.String(length=40), nullable=False),
        sa.Column("stop_no", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=4), nullable=False),
        sa.Column("place_code", sa.String(length=6), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("point", sa.Text(), nullable=False),
        sa.Column("time", sa.String(length=12), nullable=False),
        sa.Column("km", sa.Float(), nullable=False),
        sa.Column("boarding", sa.Integer(), nullable=False),
        sa.Column("alighting", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["charter_plan.id"], name=op.f("fk_charter_trip_stop_plan_id_charter_plan")),
        sa.PrimaryKeyConstraint("plan_id", "trip_id", "stop_no", name=op.f("pk_charter_trip_stop")),
    )


def downgrade() -> None:
    op.drop_table("charter_trip_stop")
    with op.batch_alter_table("charter_trip", schema=None) as batch_op:
        batch_op.drop_column("stops")
        batch_op.alter_column("route_id", existing_type=sa.String(length=120), type_=sa.String(length=20),
                              existing_nullable=False)
