"""Reads handed back unfinished because storage or the database was unavailable.

``attempts`` counts every read started; a read that could not fetch its upload or save its result
through an outage hands its document back and counts in ``released_reads``, so that only reads
that died (``attempts - released_reads``) count towards giving a document up.

Revision ID: 0004_released_reads
Revises: 0003_console
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004_released_reads'
down_revision = '0003_console'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('released_reads', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('released_reads')
