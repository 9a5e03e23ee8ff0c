"""inbox and send_rate: several webhook processes on one PostgreSQL

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 08:00:00.000000

``inbox`` holds every update a webhook process received until it is handled, so the updates of
one chat are handled in order even when a load balancer spreads them over several processes, and
none is lost when a process dies before handling it. ``send_rate`` is the one row through which
those processes share Telegram's overall send limit.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WAITING = sa.text("handled_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("update_id"),
    )
    op.create_index(
        "ix_inbox_waiting",
        "inbox",
        ["chat_id", "update_id"],
        unique=False,
        sqlite_where=_WAITING,
        postgresql_where=_WAITING,
    )
    op.create_table(
        "send_rate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute(sa.text("INSERT INTO send_rate (id, next_at) VALUES (1, CURRENT_TIMESTAMP)"))


def downgrade() -> None:
    op.drop_table("send_rate")
    op.drop_index("ix_inbox_waiting", table_name="inbox")
    op.drop_table("inbox")
