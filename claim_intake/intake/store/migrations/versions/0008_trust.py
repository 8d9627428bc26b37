"""Login attempts (audit and throttling), server-side staff sessions, and follow-up links that
can be revoked.

Revision ID: 0008_trust
Revises: 0007_payout
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008_trust'
down_revision = '0007_payout'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("staff_id", sa.String(40), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_login_attempts_email_at", "login_attempts", ["email", "at"])
    op.create_index("ix_login_attempts_address_at", "login_attempts", ["address", "at"])
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("staff_id", sa.String(40), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_staff_sessions_staff_id", "staff_sessions", ["staff_id"])
    op.create_table(
        "follow_up_links",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("claim_id", sa.String(40), sa.ForeignKey("claims.id"), nullable=False),
        sa.Column("staff_id", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("uploads", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_index("ix_follow_up_links_claim_id", "follow_up_links", ["claim_id"])


def downgrade() -> None:
    op.drop_table("follow_up_links")
    op.drop_table("staff_sessions")
    op.drop_table("login_attempts")
