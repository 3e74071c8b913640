"""returned charter manifests (包车回执) and transport-subsidy claims (补助申领核验表)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 09:50:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trip_return",
        sa.Column("campaign_id", sa.String(length=40), nullable=False),
        sa.Column("trip_id", sa.String(length=40), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("record", sa.String(length=5), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("travel_date", sa.Date(), nullable=False),
        sa.Column("plate", sa.String(length=10), nullable=True),
        sa.Column("driver", sa.Text(), nullable=True),
        sa.Column("departed_at", sa.String(length=16), nullable=True),
        sa.Column("riders", sa.Integer(), nullable=True),
        sa.Column("seats", sa.Integer(), nullable=True),
        sa.Column("ran", sa.Boolean(), nullable=True),
        sa.Column("overcrowded", sa.Boolean(), nullable=False),
        sa.Column("boarded", sa.String(length=4), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["submission_batch.id"],
                                name=op.f("fk_trip_return_batch_id_submission_batch")),
        sa.PrimaryKeyConstraint("campaign_id", "trip_id", "id_number", name=op.f("pk_trip_return")),
    )
    with op.batch_alter_table("trip_return", schema=None) as batch_op:
        batch_op.create_index("ix_trip_return_batch", ["batch_id"], unique=False)
    op.create_table(
        "subsidy_claim",
        sa.Column("campaign_id", sa.String(length=40), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("claim_year", sa.Integer(), nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("band", sa.Text(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["submission_batch.id"],
                                name=op.f("fk_subsidy_claim_batch_id_submission_batch")),
        sa.PrimaryKeyConstraint("campaign_id", "county_code", "id_number", "claim_year", name=op.f("pk_subsidy_claim")),
    )
    with op.batch_alter_table("subsidy_claim", schema=None) as batch_op:
        batch_op.create_index("ix_subsidy_claim_batch", ["batch_id"], unique=False)
        batch_op.create_index("ix_subsidy_claim_person", ["id_number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("subsidy_claim", schema=None) as batch_op:
        batch_op.drop_index("ix_subsidy_claim_person")
        batch_op.drop_index("ix_subsidy_claim_batch")
    op.drop_table("subsidy_claim")
    with op.batch_alter_table("trip_return", schema=None) as batch_op:
        batch_op.drop_index("ix_trip_return_batch")
    op.drop_table("trip_return")
