"""Approval and payout: staff roles (existing staff become admins), staff members' own API keys,
the approved amount on a claim, payout batches, and each page image's hash for ``duplicate_image``.

Revision ID: 0007_payout
Revises: 0006_members
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007_payout'
down_revision = '0006_members'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain columns with a server default or nullable: SQLite adds them in place.
    op.add_column('staff', sa.Column('role', sa.String(length=20), nullable=False, server_default='admin'))
    op.add_column('api_keys', sa.Column('staff_id', sa.String(length=40), nullable=True))
    op.add_column('claims', sa.Column('approved_fen', sa.Integer(), nullable=True))
    op.add_column('claims', sa.Column('approved_by', sa.String(length=40), nullable=True))
    op.add_column('claims', sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('claims', sa.Column('payout_account', sa.String(length=64), nullable=True))

    op.create_table('payout_batches',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('organisation_id', sa.String(length=40), nullable=False),
    sa.Column('created_by', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paid_by', sa.String(length=40), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['paid_by'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_payout_batches_organisation_id', 'payout_batches', ['organisation_id'], unique=False)

    op.create_table('payout_batch_claims',
    sa.Column('claim_id', sa.String(length=40), nullable=False),
    sa.Column('batch_id', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], ),
    sa.ForeignKeyConstraint(['batch_id'], ['payout_batches.id'], ),
    sa.PrimaryKeyConstraint('claim_id')
    )
    op.create_index('ix_payout_batch_claims_batch_id', 'payout_batch_claims', ['batch_id'], unique=False)

    op.add_column('pages', sa.Column('image_hash', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.drop_column('image_hash')
    op.drop_table('payout_batch_claims')
    op.drop_table('payout_batches')
    with op.batch_alter_table('claims', schema=None) as batch_op:
        for column in ('payout_account', 'approved_at', 'approved_by', 'approved_fen'):
            batch_op.drop_column(column)
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_column('staff_id')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('role')
