"""invite_attempt: refused invite tokens per Telegram user, for the brute-force limit

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 08:00:00.000000

Stored in the database (not in memory) so the limit holds across restarts and across several
bot processes on one PostgreSQL.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invite_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_invite_attempt_telegram_id_at", "invite_attempt", ["telegram_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_invite_attempt_telegram_id_at", table_name="invite_attempt")
    op.drop_table("invite_attempt")
