"""rail offers (铁路运力报表)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rail_offer",
        sa.Column("campaign_id", sa.String(length=40), nullable=False),
        sa.Column("bureau", sa.String(length=100), nullable=False),
        sa.Column("train_no", sa.String(length=10), nullable=False),
        sa.Column("travel_date", sa.Date(), nullable=False),
        sa.Column("carriage_type", sa.String(length=10), nullable=False),
        sa.Column("from_station", sa.String(length=20), nullable=False),
        sa.Column("to_station", sa.String(length=20), nullable=False),
        sa.Column("stops", sa.Text(), nullable=False),
        sa.Column("seats_per_carriage", sa.Integer(), nullable=False),
        sa.Column("whole_train", sa.Boolean(), nullable=False),
        sa.Column("carriages", sa.Integer(), nullable=True),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("fare", sa.Float(), nullable=False),
        sa.Column("contact_name", sa.Text(), nullable=False),
        sa.Column("contact_phone", sa.String(length=20), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["submission_batch.id"],
                                name=op.f("fk_rail_offer_batch_id_submission_batch")),
        sa.PrimaryKeyConstraint("campaign_id", "bureau", "train_no", "travel_date", "carriage_type",
                                name=op.f("pk_rail_offer")),
    )
    with op.batch_alter_table("rail_offer", schema=None) as batch_op:
        batch_op.create_index("ix_rail_offer_batch", ["batch_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rail_offer", schema=None) as batch_op:
        batch_op.drop_index("ix_rail_offer_batch")
    op.drop_table("rail_offer")
