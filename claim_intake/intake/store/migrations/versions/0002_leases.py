"""Leases on documents: who is reading a document, until when, and how many reads were started.

``lease_until`` stops two processes reading the same document and lets the reconciler find work
whose task was lost (a worker killed before acknowledging, a broker that forgot its queue);
``attempts`` counts the reads started; ``task_id`` is the queued task or the reader holding the
lease, for diagnosis.

Revision ID: 0002_leases
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002_leases'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('task_id', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('task_id')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('attempts')
