"""Personal data columns as text that the service may seal (``db.SealedText``, ``SealedJSON``):
OCR text and lines, field values, corrections, findings, claim history, bank accounts (the payout's,
the roster's, the member's own) and what a member wrote about their claim; and
``fields.lookup``, the digest an ID number is searched by once its value is sealed; and what a
payout batch keeps of a claim erased from it (``payout_batch_erasures``); staff two-step login
(``staff.totp_*``).

Values already stored stay in the clear (they are read as they are) until ``claim-intake storage
rekey`` seals them with ``CLAIM_INTAKE_STORAGE_KEYS``.

Revision ID: 0010_trust
Revises: 0009_member
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = '0010_trust'
down_revision = '0009_member'
branch_labels = None
depends_on = None

_JSON_COLUMNS = [("pages", "lines"), ("fields", "value"), ("findings", "body"),
                 ("field_corrections", "value"), ("claim_events", "detail"),
                 ("member_history", "previous"), ("member_history", "current")]
_STRING_COLUMNS = [("claims", "payout_account", 64), ("members", "account", 40), ("member_claims", "bank_account", 100)]
ID_FIELDS = ("id_number",)  # store.search.ID_FIELDS when this revision was written


def _retype(table: str, column: str, to: sa.types.TypeEngine, using: str, nullable: bool) -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite's columns take any text whatever their declared type (JSON is text there), and
        # a batch copy of ``claims`` would trip the foreign keys that point at it.
        return
    with op.batch_alter_table(table) as batch:
        batch.alter_column(column, type_=to, existing_nullable=nullable, postgresql_using=f"{column}::{using}")


def upgrade() -> None:
    op.add_column("staff", sa.Column("totp_secret", sa.Text(), nullable=True))
    op.add_column("staff", sa.Column("totp_pending", sa.Text(), nullable=True))
    op.add_column("staff", sa.Column("totp_last_step", sa.Integer(), nullable=True))
    op.create_table(
        "payout_batch_erasures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("batch_id", sa.String(40), sa.ForeignKey("payout_batches.id"), nullable=False),
        sa.Column("erased_claim", sa.String(40), nullable=False),
        sa.Column("approved_fen", sa.Integer(), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_payout_batch_erasures_batch_id", "payout_batch_erasures", ["batch_id"])
    for table, column in _JSON_COLUMNS:
        _retype(table, column, sa.Text(), "text", nullable=(table, column) == ("pages", "lines"))
    for table, column, _ in _STRING_COLUMNS:
        _retype(table, column, sa.Text(), "text", nullable=True)
    with op.batch_alter_table("fields") as batch:
        batch.add_column(sa.Column("lookup", sa.String(64), nullable=True))
        batch.create_index("ix_fields_lookup", ["lookup"])
    # Rows stored so far are in the clear: their lookup is the plain digest (``crypto.lookups``).
    connection = op.get_bind()
    fields = sa.table("fields", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("value", sa.Text),
                      sa.column("lookup", sa.String))
    for row in connection.execute(sa.select(fields.c.id, fields.c.value).where(fields.c.name.in_(ID_FIELDS))).all():
        value = json.loads(row.value) if row.value else None
        if isinstance(value, str) and value:
            connection.execute(sa.update(fields).where(fields.c.id == row.id)
                               .values(lookup=hashlib.sha256(value.upper().encode()).hexdigest()))


def downgrade() -> None:
    # Only for a database whose values are still in the clear: sealed text is not JSON.
    with op.batch_alter_table("fields") as batch:
        batch.drop_index("ix_fields_lookup")
        batch.drop_column("lookup")
    for table, column, length in _STRING_COLUMNS:
        _retype(table, column, sa.String(length), "varchar", nullable=True)
    for table, column in _JSON_COLUMNS:
        _retype(table, column, sa.JSON(), "json", nullable=(table, column) == ("pages", "lines"))
    op.drop_table("payout_batch_erasures")
    with op.batch_alter_table("staff") as batch:
        for column in ("totp_last_step", "totp_pending", "totp_secret"):
            batch.drop_column(column)
