"""Waivers keyed by what a finding is about, never by its wording.

Findings about no document type used to be told apart by a hash of their claimant message. Now an
unreadable file's finding names its upload (``unreadable_file|||<document id>``) and a late
submission is one per claim (``late_submission|||``): the waivers made before are re-keyed, so
that they stay waived.

Revision ID: 0005_finding_keys
Revises: 0004_released_reads
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = '0005_finding_keys'
down_revision = '0004_released_reads'
branch_labels = None
depends_on = None

# The claimant message the old keys hashed, as it was worded then.
_OLD_UNREADABLE = "您上传的文件“{file}”无法打开或识别。请重新拍照上传（JPG/PNG照片或PDF），确保文件完整、未加密。"


def _old_hash(message: str) -> str:
    return hashlib.sha256(message.encode()).hexdigest()[:16]


def upgrade() -> None:
    bind = op.get_bind()
    waivers = sa.table("finding_waivers", sa.column("id"), sa.column("claim_id"), sa.column("finding_key"))
    documents = sa.table("documents", sa.column("id"), sa.column("claim_id"), sa.column("filename"),
                         sa.column("status"))
    bind.execute(waivers.update().where(waivers.c.finding_key.like("late\\_submission||||%", escape="\\"))
                 .values(finding_key="late_submission|||"))
    old = bind.execute(sa.select(waivers.c.id, waivers.c.claim_id, waivers.c.finding_key)
                       .where(waivers.c.finding_key.like("unreadable\\_file||||%", escape="\\"))).all()
    for waiver_id, claim_id, key in old:
        digest = key.rsplit("|", 1)[1]
        failed = bind.execute(sa.select(documents.c.id, documents.c.filename)
                              .where(documents.c.claim_id == claim_id, documents.c.status == "failed")).all()
        match = next((doc_id for doc_id, name in failed if _old_hash(_OLD_UNREADABLE.format(file=name)) == digest), None)
        if match is not None:
            bind.execute(waivers.update().where(waivers.c.id == waiver_id)
                         .values(finding_key=f"unreadable_file|||{match}"))


def downgrade() -> None:
    """The old keys hashed a message: the new ones are kept (such a waiver is not matched)."""
