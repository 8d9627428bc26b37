"""Finding claims: one set of filters for the API's list and the console's (status, claim type,
submission period, unit, and a search by name, ID number, invoice number or claim id)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, or_, select

from claim_intake.intake.member.tables import member_drafts
from claim_intake.intake.store.crypto import Keyring, lookups
from claim_intake.intake.store.db import ClaimRow, DocumentRow, FieldRow, InvoiceUse, MemberRow

ID_FIELDS = ("id_number",)
"""Fields holding a claimant's full ID number (application form, ID card)."""


def field_lookup(name: str, value: object, keyring: Keyring | None) -> str | None:
    """What ``FieldRow.lookup`` stores: an ID number's digest under the current key."""
    if name not in ID_FIELDS or not isinstance(value, str) or not value:
        return None
    return lookups(value.upper(), keyring)[0]


@dataclass(frozen=True)
class ClaimFilter:
    q: str | None = None
    status: str | None = None
    claim_type: str | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None
    unit: str | None = None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def apply(query: Select, organisation_id: str, f: ClaimFilter, keyring: Keyring | None) -> Select:
    """``query`` selects from ClaimRow; the result is the organisation's claims that pass.
    ``keyring``: the database's (``db.keyring_of``): a search by ID number finds values sealed with
    it only (None: those stored in the clear)."""
    query = query.where(ClaimRow.organisation_id == organisation_id, ClaimRow.id.not_in(member_drafts()))
    if f.status:
        query = query.where(ClaimRow.status == f.status)
    if f.claim_type:
        query = query.where(ClaimRow.claim_type == f.claim_type)
    if f.submitted_from:
        query = query.where(ClaimRow.submitted_on >= f.submitted_from)
    if f.submitted_to:
        query = query.where(ClaimRow.submitted_on <= f.submitted_to)
    if f.unit:
        # The unit the claimant gave, or the roster's unit of the member the claim was matched to.
        pattern = f"%{_escape_like(f.unit.strip())}%"
        by_member_unit = select(MemberRow.id).where(MemberRow.organisation_id == organisation_id,
                                                    MemberRow.unit.like(pattern, escape="\\"))
        query = query.where(or_(ClaimRow.claimant_unit.like(pattern, escape="\\"),
                                ClaimRow.member_id.in_(by_member_unit)))
    q = (f.q or "").strip()
    if q:
        by_invoice = select(InvoiceUse.claim_id).where(InvoiceUse.organisation_id == organisation_id,
                                                       InvoiceUse.invoice_number == q)
        # Field values may be sealed: an ID number is found by its digest under any key.
        by_id_number = (select(DocumentRow.claim_id).join(FieldRow, FieldRow.document_id == DocumentRow.id)
                        .where(FieldRow.lookup.in_(lookups(q.upper(), keyring))))
        query = query.where(or_(
            ClaimRow.id == q, ClaimRow.external_id == q,
            ClaimRow.claimant_name.like(f"%{_escape_like(q)}%", escape="\\"),
            ClaimRow.claimant_id_number == q.upper(),
            ClaimRow.id.in_(by_invoice), ClaimRow.id.in_(by_id_number),
        ))
    return query
