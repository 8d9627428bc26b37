"""The member's own phone: entry points, member claims, one-time codes, the notification outbox,
rate counters; and each page's measured photo quality (poor_image).

Revision ID: 0009_member
Revises: 0008_trust
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009_member'
down_revision = '0008_trust'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quality', sa.JSON(), nullable=True))
    op.create_table(
        'member_portals',
        sa.Column('slug', sa.String(40), primary_key=True),
        sa.Column('organisation_id', sa.String(40), sa.ForeignKey('organisations.id'), nullable=False, unique=True),
        sa.Column('title', sa.String(200), nullable=False),
        sa.Column('require_code', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        'member_claims',
        sa.Column('claim_id', sa.String(40), sa.ForeignKey('claims.id'), primary_key=True),
        sa.Column('organisation_id', sa.String(40), sa.ForeignKey('organisations.id'), nullable=False),
        sa.Column('name', sa.String(50), nullable=False),
        sa.Column('id_number', sa.String(18), nullable=False),
        sa.Column('phone', sa.String(20), nullable=False),
        sa.Column('unit', sa.String(200), nullable=False),
        sa.Column('hospital', sa.String(200), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('end_date', sa.Date(), nullable=True),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('bank_account', sa.String(100), nullable=True),
        sa.Column('consent_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index('ix_member_claims_member', 'member_claims', ['organisation_id', 'id_number'])
    op.create_table(
        'member_codes',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('organisation_id', sa.String(40), sa.ForeignKey('organisations.id'), nullable=False),
        sa.Column('phone', sa.String(20), nullable=False),
        sa.Column('code_hash', sa.String(64), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_member_codes_phone', 'member_codes', ['organisation_id', 'phone'])
    op.create_table(
        'notifications',
        sa.Column('id', sa.String(40), primary_key=True),
        sa.Column('organisation_id', sa.String(40), sa.ForeignKey('organisations.id'), nullable=False),
        sa.Column('claim_id', sa.String(40), sa.ForeignKey('claims.id'), nullable=True),
        sa.Column('phone', sa.String(20), nullable=False),
        sa.Column('kind', sa.String(40), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('channel', sa.String(20), nullable=False),
        sa.Column('status', sa.String(20), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index('ix_notifications_listing', 'notifications', ['organisation_id', 'created_at'])
    op.create_table(
        'rate_counters',
        sa.Column('key', sa.String(200), primary_key=True),
        sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('rate_counters')
    op.drop_index('ix_notifications_listing', 'notifications')
    op.drop_table('notifications')
    op.drop_index('ix_member_codes_phone', 'member_codes')
    op.drop_table('member_codes')
    op.drop_index('ix_member_claims_member', 'member_claims')
    op.drop_table('member_claims')
    op.drop_table('member_portals')
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.drop_column('quality')
