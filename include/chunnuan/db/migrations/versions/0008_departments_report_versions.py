"""departments own figures (progress entry names the department); report versions' headline figures

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 09:35:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # area|department|item|as_of: a department's resubmission replaces only its own figures of the item.
    with op.batch_alter_table("service_progress", schema=None) as batch_op:
        batch_op.alter_column("entry", existing_type=sa.String(length=60), type_=sa.String(length=120),
                              existing_nullable=False)
    op.create_table(
        "report_version",
        sa.Column("campaign_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("prepared_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "version", name=op.f("pk_report_version")),
    )


def downgrade() -> None:
    op.drop_table("report_version")
    with op.batch_alter_table("service_progress", schema=None) as batch_op:
        batch_op.alter_column("entry", existing_type=sa.String(length=120), type_=sa.String(length=60),
                              existing_nullable=False)
