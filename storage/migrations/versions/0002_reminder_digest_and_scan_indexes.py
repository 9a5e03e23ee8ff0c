"""reminder digest table and the indexes of the reminder scan

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminder_digest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["reporting_round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "key", "person_id"),
    )
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.create_index("ix_membership_agency_id", ["agency_id"], unique=False)
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.create_index("ix_report_year_status", ["year", "status"], unique=False)
    with op.batch_alter_table("reminder_sent", schema=None) as batch_op:
        batch_op.create_index("ix_reminder_sent_slot_status", ["slot", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reminder_sent", schema=None) as batch_op:
        batch_op.drop_index("ix_reminder_sent_slot_status")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index("ix_report_year_status")
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_index("ix_membership_agency_id")
    op.drop_table("reminder_digest")
