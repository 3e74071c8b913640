"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 19:09:46.692009

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""

    op.create_table(
        "submission_batch",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("campaign_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=True),
        sa.Column("rows_loaded", sa.Integer(), nullable=True),
        sa.Column("rows_quarantined", sa.Integer(), nullable=True),
        sa.Column("rows_merged", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("run_id", sa.String(length=250), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_batch")),
        sa.UniqueConstraint("campaign_id", "kind", "sha256", name=op.f("uq_submission_batch_campaign_id")),
    )
    op.create_table(
        "merged_row",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("kept_batch_id", sa.Integer(), nullable=False),
        sa.Column("kept_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["submission_batch.id"], name=op.f("fk_merged_row_batch_id_submission_batch")
        ),
        sa.ForeignKeyConstraint(
            ["kept_batch_id"],
            ["submission_batch.id"],
            name=op.f("fk_merged_row_kept_batch_id_submission_batch"),
        ),
        sa.PrimaryKeyConstraint("batch_id", "source_row", name=op.f("pk_merged_row")),
    )
    with op.batch_alter_table("merged_row", schema=None) as batch_op:
        batch_op.create_index("ix_merged_row_kept", ["kept_batch_id"], unique=False)

    op.create_table(
        "quarantined_row",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("codes", sa.String(length=200), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["submission_batch.id"], name=op.f("fk_quarantined_row_batch_id_submission_batch")
        ),
        sa.PrimaryKeyConstraint("batch_id", "source_row", name=op.f("pk_quarantined_row")),
    )
    op.create_table(
        "survey_worker",
        sa.Column("campaign_id", sa.String(length=40), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=False),
        sa.Column("home_county_code", sa.String(length=6), nullable=False),
        sa.Column("home_city_code", sa.String(length=6), nullable=False),
        sa.Column("home_township", sa.Text(), nullable=True),
        sa.Column("poverty_status", sa.String(length=10), nullable=False),
        sa.Column("trip_type", sa.String(length=4), nullable=False),
        sa.Column("travel_date", sa.Date(), nullable=False),
        sa.Column("flex_days", sa.Integer(), nullable=False),
        sa.Column("work_province", sa.Text(), nullable=False),
        sa.Column("work_city", sa.Text(), nullable=False),
        sa.Column("employer", sa.Text(), nullable=True),
        sa.Column("needs_charter", sa.Boolean(), nullable=False),
        sa.Column("job_need", sa.String(length=10), nullable=False),
        sa.Column("desired_trade", sa.Text(), nullable=True),
        sa.Column("needs_training", sa.Boolean(), nullable=False),
        sa.Column("training_trade", sa.Text(), nullable=True),
        sa.Column("reporting_unit", sa.Text(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["submission_batch.id"], name=op.f("fk_survey_worker_batch_id_submission_batch")
        ),
        sa.PrimaryKeyConstraint("campaign_id", "id_number", name=op.f("pk_survey_worker")),
    )
    with op.batch_alter_table("survey_worker", schema=None) as batch_op:
        batch_op.create_index("ix_survey_worker_batch", ["batch_id"], unique=False)
        batch_op.create_index("ix_survey_worker_county", ["home_county_code"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""

    with op.batch_alter_table("survey_worker", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_worker_county")
        batch_op.drop_index("ix_survey_worker_batch")

    op.drop_table("survey_worker")
    op.drop_table("quarantined_row")
    with op.batch_alter_table("merged_row", schema=None) as batch_op:
        batch_op.drop_index("ix_merged_row_kept")

    op.drop_table("merged_row")
    op.drop_table("submission_batch")
