"""district: rounds, agencies and coordinators belong to a district

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 02:00:00.000000

A district's disclosure office coordinates the agencies of its own district; one person may coordinate several.
A round is now per district and year (the unique year becomes unique per district), and each
agency, coordinator invite and coordinator belongs to a district. A database that already holds
agencies, rounds or coordinators gets one district, named as `DEFAULT_NAME` below (the name the
application gives its default district), and everything is put in it: nothing is lost and every
coordinator keeps seeing what they saw.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_NAME = "\u672c\u5730\u533a"  # the default district's name (dialogs/messages.py DEFAULT_DISTRICT)
# Names the unnamed unique constraint of 0001 on reporting_round.year, so SQLite's batch mode can drop it.
_NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    op.create_table(
        "district",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "district_coordinator",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["district_id"], ["district.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id", "district_id"),
    )
    with op.batch_alter_table("agency") as batch:
        batch.add_column(sa.Column("district_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("contact", sa.Text(), nullable=False, server_default=""))
        batch.create_foreign_key(
            "fk_agency_district_id", "district", ["district_id"], ["id"], ondelete="CASCADE"
        )
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("district_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_person_district_id", "district", ["district_id"], ["id"], ondelete="SET NULL"
        )
        batch.add_column(sa.Column("pending_return_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_person_pending_return_id", "report", ["pending_return_id"], ["id"], ondelete="SET NULL"
        )
    with op.batch_alter_table("invite") as batch:
        batch.add_column(sa.Column("district_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_invite_district_id", "district", ["district_id"], ["id"], ondelete="CASCADE"
        )

    conn = op.get_bind()
    probes = (
        "select 1 from agency limit 1",
        "select 1 from reporting_round limit 1",
        "select 1 from person where is_coordinator limit 1",
    )
    has_rows = any(conn.execute(sa.text(probe)).first() is not None for probe in probes)
    district_id = None
    if has_rows:
        conn.execute(
            sa.text("insert into district (name, created_at) values (:name, :at)"),
            {"name": DEFAULT_NAME, "at": datetime.now(UTC)},
        )
        district_id = conn.execute(
            sa.text("select id from district where name = :name"), {"name": DEFAULT_NAME}
        ).scalar_one()
        conn.execute(sa.text("update agency set district_id = :d"), {"d": district_id})
        conn.execute(
            sa.text(
                "insert into district_coordinator (person_id, district_id, created_at) "
                "select id, :d, :at from person where is_coordinator"
            ),
            {"d": district_id, "at": datetime.now(UTC)},
        )
        conn.execute(
            sa.text("update invite set district_id = :d where agency_id is null"), {"d": district_id}
        )

    with op.batch_alter_table("reporting_round", naming_convention=_NAMING) as batch:
        batch.add_column(sa.Column("district_id", sa.Integer(), nullable=True))
    if district_id is not None:
        conn.execute(sa.text("update reporting_round set district_id = :d"), {"d": district_id})
    with op.batch_alter_table("reporting_round", naming_convention=_NAMING) as batch:
        batch.alter_column("district_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_constraint(
            "uq_reporting_round_year" if conn.dialect.name == "sqlite" else "reporting_round_year_key",
            type_="unique",
        )
        batch.create_unique_constraint("uq_reporting_round_district_year", ["district_id", "year"])
        batch.create_foreign_key(
            "fk_reporting_round_district_id", "district", ["district_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    with op.batch_alter_table("reporting_round") as batch:
        batch.drop_constraint("fk_reporting_round_district_id", type_="foreignkey")
        batch.drop_constraint("uq_reporting_round_district_year", type_="unique")
        batch.create_unique_constraint("uq_reporting_round_year", ["year"])
        batch.drop_column("district_id")
    with op.batch_alter_table("invite") as batch:
        batch.drop_constraint("fk_invite_district_id", type_="foreignkey")
        batch.drop_column("district_id")
    with op.batch_alter_table("person") as batch:
        batch.drop_constraint("fk_person_pending_return_id", type_="foreignkey")
        batch.drop_column("pending_return_id")
        batch.drop_constraint("fk_person_district_id", type_="foreignkey")
        batch.drop_column("district_id")
        batch.drop_column("is_admin")
    with op.batch_alter_table("agency") as batch:
        batch.drop_constraint("fk_agency_district_id", type_="foreignkey")
        batch.drop_column("contact")
        batch.drop_column("district_id")
    op.drop_table("district_coordinator")
    op.drop_table("district")
