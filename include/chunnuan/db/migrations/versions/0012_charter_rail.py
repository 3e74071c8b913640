"""专列（车厢）in the charter plan: each trip's mode (coach / feeder), each rider's train, carriage and
stations, and the plan's carriages (charter_car)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 12:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("charter_trip", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mode", sa.String(length=10), server_default="coach", nullable=False))
    with op.batch_alter_table("charter_assignment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("train_id", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("carriage_no", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("board_station", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("arrive_station", sa.String(length=20), nullable=True))
    op.create_table(
        "charter_car",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("train_id", sa.String(length=30), nullable=False),
        sa.Column("carriage_no", sa.Integer(), nullable=False),
        sa.Column("train_no", sa.String(length=10), nullable=False),
        sa.Column("travel_date", sa.Date(), nullable=False),
        sa.Column("mode", sa.String(length=4), nullable=False),
        sa.Column("carriage_type", sa.String(length=10), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("riders", sa.Integer(), nullable=False),
        sa.Column("from_station", sa.String(length=20), nullable=False),
        sa.Column("to_station", sa.String(length=20), nullable=False),
        sa.Column("fare", sa.Float(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("bureau", sa.String(length=100), nullable=False),
        sa.Column("contact_name", sa.Text(), nullable=False),
        sa.Column("contact_phone", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["charter_plan.id"], name=op.f("fk_charter_car_plan_id_charter_plan")),
        sa.PrimaryKeyConstraint("plan_id", "train_id", "carriage_no", name=op.f("pk_charter_car")),
    )


def downgrade() -> None:
    op.drop_table("charter_car")
    with op.batch_alter_table("charter_assignment", schema=None) as batch_op:
        for column in ("arrive_station", "board_station", "carriage_no", "train_id"):
            batch_op.drop_column(column)
    with op.batch_alter_table("charter_trip", schema=None) as batch_op:
        batch_op.drop_column("mode")
