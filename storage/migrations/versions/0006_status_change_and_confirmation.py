"""status_change and confirmation: the lifecycle's history and confirmed warnings as their own rows

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 08:00:00.000000

Until now a coordinator's return comment and the warnings confirmed at submission (with their
explanation) were stored as pseudo-answers under `review.*` keys, the warnings tab-joined. They
move here: every status change is a `status_change` row (a return's comment with it), every
confirmed warning a `confirmation` row tied to the submission it was confirmed at. The data
migration turns the pseudo-answers of existing reports into such rows and deletes them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The pseudo-answer keys of releases up to 0004 (they exist nowhere else any more).
_RETURN_COMMENT = "review.return_comment"
_CONFIRMED = "review.confirmed_warnings"
_EXPLANATION = "review.explanation"


def upgrade() -> None:
    op.create_table(
        "status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=False),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("by_person_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["by_person_id"], ["person.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_status_change_report_id", "status_change", ["report_id"])
    op.create_table(
        "confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("rule_id", sa.String(length=80), nullable=False),
        sa.Column("finding_ref", sa.String(length=400), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), server_default="", nullable=False),
        sa.Column("by_person_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["submission_id"], ["status_change.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["by_person_id"], ["person.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_confirmation_report_id", "confirmation", ["report_id"])
    _move_pseudo_answers(op.get_bind())


def _move_pseudo_answers(conn: sa.Connection) -> None:
    answer = sa.table(
        "answer",
        sa.column("report_id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("value", sa.Text),
        sa.column("by_person_id", sa.Integer),
        sa.column("at", sa.DateTime(timezone=True)),
    )
    change = sa.table(
        "answer_change",
        sa.column("report_id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("new_value", sa.Text),
        sa.column("by_person_id", sa.Integer),
        sa.column("at", sa.DateTime(timezone=True)),
    )
    report = sa.table("report", sa.column("id", sa.Integer), sa.column("submitted_by", sa.Integer))
    status_change = sa.table(
        "status_change",
        sa.column("report_id", sa.Integer),
        sa.column("from_status", sa.String),
        sa.column("to_status", sa.String),
        sa.column("action", sa.String),
        sa.column("by_person_id", sa.Integer),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("comment", sa.Text),
    )
    confirmation = sa.table(
        "confirmation",
        sa.column("report_id", sa.Integer),
        sa.column("rule_id", sa.String),
        sa.column("finding_ref", sa.String),
        sa.column("message", sa.Text),
        sa.column("explanation", sa.Text),
        sa.column("by_person_id", sa.Integer),
        sa.column("at", sa.DateTime(timezone=True)),
    )
    # Every return that left a comment (the answer history holds each one, oldest first).
    returns = conn.execute(
        sa.select(change.c.report_id, change.c.new_value, change.c.by_person_id, change.c.at)
        .where(change.c.key == _RETURN_COMMENT, change.c.new_value.is_not(None))
        .order_by(change.c.at)
    ).all()
    rows = [
        {
            "report_id": rid,
            "from_status": "submitted",
            "to_status": "returned",
            "action": "return",
            "by_person_id": by,
            "at": at,
            "comment": text,
        }
        for rid, text, by, at in returns
    ]
    if rows:
        conn.execute(sa.insert(status_change), rows)
    # The warnings confirmed at each report's last submission, with its explanation.
    explanations = dict(
        conn.execute(sa.select(answer.c.report_id, answer.c.value).where(answer.c.key == _EXPLANATION)).all()
    )
    confirmed = conn.execute(
        sa.select(answer.c.report_id, answer.c.value, answer.c.at, report.c.submitted_by)
        .join(report, report.c.id == answer.c.report_id)
        .where(answer.c.key == _CONFIRMED)
    ).all()
    found = []
    for rid, value, at, by in confirmed:
        for line in str(value).splitlines():
            if not line.strip():
                continue
            ref, _, message = line.partition("\t")
            found.append(
                {
                    "report_id": rid,
                    "rule_id": ref.split(":", 1)[0],
                    "finding_ref": ref,
                    "message": message or ref,
                    "explanation": explanations.get(rid) or "",
                    "by_person_id": by,
                    "at": at,
                }
            )
    if found:
        conn.execute(sa.insert(confirmation), found)
    keys = (_RETURN_COMMENT, _CONFIRMED, _EXPLANATION)
    conn.execute(sa.delete(answer).where(answer.c.key.in_(keys)))
    conn.execute(sa.delete(change).where(change.c.key.in_(keys)))


def downgrade() -> None:
    op.drop_index("ix_confirmation_report_id", table_name="confirmation")
    op.drop_table("confirmation")
    op.drop_index("ix_status_change_report_id", table_name="status_change")
    op.drop_table("status_change")
