"""The member roster (members, enrolments, member_history) and, on claims, who the claim names,
the member it was matched to, and the benefit estimate.

Revision ID: 0006_members
Revises: 0005_finding_keys
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006_members'
down_revision = '0005_finding_keys'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "members",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("organisation_id", sa.String(40), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(40), nullable=True),
        sa.Column("unit", sa.String(200), nullable=True),
        sa.Column("bank", sa.String(100), nullable=True),
        sa.Column("account", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("organisation_id", "id_number", name="uq_members_id_number"),
    )
    op.create_index("ix_members_name", "members", ["organisation_id", "name"])
    op.create_table(
        "enrolments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("member_id", sa.String(40), sa.ForeignKey("members.id"), nullable=False),
        sa.Column("plan", sa.String(100), nullable=False),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("end", sa.Date, nullable=False),
        sa.Column("paid_on", sa.Date, nullable=True),
        sa.UniqueConstraint("member_id", "plan", "start", name="uq_enrolments"),
    )
    op.create_index("ix_enrolments_member_id", "enrolments", ["member_id"])
    op.create_table(
        "member_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("member_id", sa.String(40), sa.ForeignKey("members.id"), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("previous", sa.JSON, nullable=False),
        sa.Column("current", sa.JSON, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_member_history_member_id", "member_history", ["member_id"])
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("claimant_id_number", sa.String(18), nullable=True))
        batch.add_column(sa.Column("claimant_unit", sa.String(200), nullable=True))
        batch.add_column(sa.Column("member_id", sa.String(40), nullable=True))
        batch.add_column(sa.Column("benefit", sa.JSON, nullable=True))
        batch.create_index("ix_claims_member_id", ["member_id"])


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_index("ix_claims_member_id")
        for column in ("benefit", "member_id", "claimant_unit", "claimant_id_number"):
            batch.drop_column(column)
    op.drop_table("member_history")
    op.drop_table("enrolments")
    op.drop_table("members")
