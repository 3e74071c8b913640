"""highlights and problems (亮点工作和存在问题报表)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 08:50:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "highlight",
        sa.Column("campaign_id", sa.String(length=40), nullable=False),
        sa.Column("entry", sa.String(length=120), nullable=False),
        sa.Column("item_code", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=60), nullable=False),
        sa.Column("area_code", sa.String(length=6), nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["submission_batch.id"],
                                name=op.f("fk_highlight_batch_id_submission_batch")),
        sa.PrimaryKeyConstraint("campaign_id", "entry", "item_code", "category", "title", name=op.f("pk_highlight")),
    )
    with op.batch_alter_table("highlight", schema=None) as batch_op:
        batch_op.create_index("ix_highlight_batch", ["batch_id"], unique=False)
        batch_op.create_index("ix_highlight_entry", ["entry"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("highlight", schema=None) as batch_op:
        batch_op.drop_index("ix_highlight_entry")
        batch_op.drop_index("ix_highlight_batch")
    op.drop_table("highlight")
