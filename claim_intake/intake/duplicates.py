"""``duplicate_image``: a page whose image hash (``ocr.image_hash``) is within ``MAX_DISTANCE``
bits of a page of an earlier claim of the same organisation: the same photo sent again, perhaps
re-compressed, cropped a little or as a screenshot. One finding per upload, naming the claims.

Only earlier claims count, as for ``duplicate_invoice``: when the earlier claim is assessed
again, the later one is the copy, not it."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from claim_intake.intake.store.db import ClaimRow, DocumentRow, PageRow
from claim_intake.ocr.image_hash import distance
from claim_intake.validators.messages import builtin_messages
from claim_intake.validators.models import FindingCode, Severity

MAX_DISTANCE = 64
"""Of 783 bits. On synthetic renders, copies of a photo or a scan measured 6-52 bits apart
(re-compressed, cropped by 2-4%, phone screenshots: the farthest), and another bill of the same
hospital's form, photographed with the same phone, desk and light or scanned the same way, 78 and
more; among the 34 real development bills (different bills of a few hospitals) the closest pair
is 152 apart (benchmarks/duplicate_images.py)."""


def duplicate_image_findings(session: Session, claim: ClaimRow) -> list[dict[str, Any]]:
    """The findings as the API shows them (documents named by upload)."""
    own = session.execute(
        select(PageRow.document_id, PageRow.number, PageRow.image_hash)
        .where(PageRow.document_id.in_([d.id for d in claim.documents]), PageRow.image_hash.is_not(None))
        .order_by(PageRow.document_id, PageRow.number)
    ).all()
    if not own:
        return []
    earlier = session.execute(
        select(PageRow.image_hash, DocumentRow.claim_id)
        .join(DocumentRow, DocumentRow.id == PageRow.document_id)
        .join(ClaimRow, ClaimRow.id == DocumentRow.claim_id)
        .where(ClaimRow.organisation_id == claim.organisation_id, ClaimRow.id != claim.id,
               ClaimRow.created_at < claim.created_at, PageRow.image_hash.is_not(None))
    ).all()
    matches: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for document_id, number, own_hash in own:
        for other_hash, other_claim in earlier:
            if distance(own_hash, other_hash) <= MAX_DISTANCE:
                matches[document_id][number].add(other_claim)
    messages = builtin_messages()
    bodies = []
    for document in claim.documents:
        pages = matches.get(document.id)
        if not pages:
            continue
        claims = sorted(set().union(*pages.values()))
        staff, claimant = messages.finding("duplicate_image", file=document.filename,
                                           pages="、".join(str(n) for n in sorted(pages)), claims="、".join(claims))
        bodies.append({
            "code": FindingCode.duplicate_image.value, "severity": Severity.follow_up.value,
            "doc_type": document.parts[0]["doc_type"] if document.parts else None, "field": None,
            "documents": [document.id], "evidence": [{"document": document.id, "page": n, "box": None} for n in sorted(pages)],
            "message_staff": staff, "message_claimant": claimant,
        })
    return bodies
