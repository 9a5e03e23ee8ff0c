"""report.revision, counted up by the database on every change to the report's answers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:00:00.000000

The bot keeps a report's decoded answers in memory between turns and reuses them while the
revision it read with them is still the report's (storage/turn_store.py). Triggers, not the
application, count: every writer (the dialog, an import, a coordinator, another process, a
hand-made SQL fix) moves the revision, so no copy can outlive a change it did not see.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_TRIGGERS = {
    "answer_revision_insert": "CREATE TRIGGER answer_revision_insert AFTER INSERT ON answer BEGIN "
    "UPDATE report SET revision = revision + 1 WHERE id = NEW.report_id; END",
    "answer_revision_update": "CREATE TRIGGER answer_revision_update AFTER UPDATE ON answer BEGIN "
    "UPDATE report SET revision = revision + 1 WHERE id = NEW.report_id; END",
    "answer_revision_delete": "CREATE TRIGGER answer_revision_delete AFTER DELETE ON answer BEGIN "
    "UPDATE report SET revision = revision + 1 WHERE id = OLD.report_id; END",
}

_POSTGRES_FUNCTION = """
CREATE FUNCTION answer_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE report SET revision = revision + 1 WHERE id = OLD.report_id;
        RETURN OLD;
    END IF;
    UPDATE report SET revision = revision + 1 WHERE id = NEW.report_id;
    RETURN NEW;
END
$$
"""


def upgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_POSTGRES_FUNCTION)
        op.execute(
            "CREATE TRIGGER answer_revision AFTER INSERT OR UPDATE OR DELETE ON answer "
            "FOR EACH ROW EXECUTE FUNCTION answer_revision()"
        )
        return
    for statement in _SQLITE_TRIGGERS.values():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER answer_revision ON answer")
        op.execute("DROP FUNCTION answer_revision()")
    else:
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_column("revision")
