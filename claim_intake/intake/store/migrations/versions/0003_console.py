"""The staff console: staff accounts, assignments, field corrections, waivers, the claim's history,
and what the page viewer needs of each page (the upload's size and the OCR lines' boxes).

Revision ID: 0003_console
Revises: 0002_leases
Create Date: 2026-11-29 00:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003_console'
down_revision = '0002_leases'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('organisation_id', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )
    op.create_index('ix_staff_organisation_id', 'staff', ['organisation_id'], unique=False)

    op.create_table('claim_assignments',
    sa.Column('claim_id', sa.String(length=40), nullable=False),
    sa.Column('staff_id', sa.String(length=40), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('claim_id')
    )
    op.create_index('ix_claim_assignments_staff_id', 'claim_assignments', ['staff_id'], unique=False)

    op.create_table('field_corrections',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('document_id', sa.String(length=40), nullable=False),
    sa.Column('part', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('raw', sa.Text(), nullable=False),
    sa.Column('staff_id', sa.String(length=40), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_field_corrections_document_id', 'field_corrections', ['document_id'], unique=False)

    op.create_table('finding_waivers',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('claim_id', sa.String(length=40), nullable=False),
    sa.Column('finding_key', sa.String(length=400), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('staff_id', sa.String(length=40), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_finding_waivers_claim_id', 'finding_waivers', ['claim_id'], unique=False)

    op.create_table('claim_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('claim_id', sa.String(length=40), nullable=False),
    sa.Column('staff_id', sa.String(length=40), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_claim_events_claim_id', 'claim_events', ['claim_id'], unique=False)

    # Plain nullable columns: SQLite adds them in place, no table rebuild (pages read before this
    # migration keep NULL and are shown without OCR boxes).
    op.add_column('pages', sa.Column('source_width', sa.Integer(), nullable=True))
    op.add_column('pages', sa.Column('source_height', sa.Integer(), nullable=True))
    op.add_column('pages', sa.Column('lines', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.drop_column('lines')
        batch_op.drop_column('source_height')
        batch_op.drop_column('source_width')
    op.drop_index('ix_claim_events_claim_id', table_name='claim_events')
    op.drop_table('claim_events')
    op.drop_index('ix_finding_waivers_claim_id', table_name='finding_waivers')
    op.drop_table('finding_waivers')
    op.drop_index('ix_field_corrections_document_id', table_name='field_corrections')
    op.drop_table('field_corrections')
    op.drop_index('ix_claim_assignments_staff_id', table_name='claim_assignments')
    op.drop_table('claim_assignments')
    op.drop_index('ix_staff_organisation_id', table_name='staff')
    op.drop_table('staff')
