"""Claims as the API shows them, built from the same pieces as the CLI's JSON."""

from __future__ import annotations

from typing import Any

from claim_intake.intake.lifecycle import DocumentState
from claim_intake.intake.masking import mask_field_json
from claim_intake.intake.payout import Decision, decision_view, from_fen
from claim_intake.intake.store.db import ClaimRow, DocumentRow
from claim_intake.intake.store.reads import file_report
from claim_intake.roster.identity import mask_id_number


def _masked(part: dict[str, Any]) -> dict[str, Any]:
    return {**part, "fields": {name: mask_field_json(name, f) for name, f in part["fields"].items()}}


def document_view(row: DocumentRow, reveal: bool = False) -> dict[str, Any]:
    """``reveal``: ID and bank numbers in full (the caller audits it); masked otherwise."""
    parts = [d.export() for d in file_report(row).documents] if row.status == DocumentState.read else []
    if not reveal:
        parts = [_masked(p) for p in parts]
    return {
        "id": row.id,
        "filename": row.filename,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "status": row.status,
        "doc_type": parts[0]["doc_type"] if parts else None,
        "fields": parts[0]["fields"] if parts else {},
        "error": row.error,
        "documents": parts,
    }


def claim_summary(claim: ClaimRow, decision: Decision | None) -> dict[str, Any]:
    """``decision``: the claim's (``payout.decisions``, which finds those of a page at once)."""
    return {
        "id": claim.id,
        "external_id": claim.external_id,
        "claim_type": claim.claim_type,
        "status": claim.status,
        "submitted_on": claim.submitted_on,
        "created_at": claim.created_at,
        "updated_at": claim.updated_at,
        "decision": decision,
    }


def claim_view(claim: ClaimRow, reveal: bool = False) -> dict[str, Any]:
    return {
        **claim_summary(claim, decision_view(claim)),
        "claimant_name": claim.claimant_name,
        "claimant_id_number": mask_id_number(claim.claimant_id_number),
        "claimant_unit": claim.claimant_unit,
        "member_id": claim.member_id,
        "benefit": claim.benefit,
        "rule_set_version": claim.rule_set_version,
        "documents": [document_view(d, reveal) for d in claim.documents],
        "findings": [f.body for f in claim.findings],
        "approved_amount": None if claim.approved_fen is None else str(from_fen(claim.approved_fen)),
        "approved_at": claim.approved_at,
    }
