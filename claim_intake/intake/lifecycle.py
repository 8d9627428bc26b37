"""A claim's life in one place: its states, the transitions allowed between them, and one function
per use case. Each use case records the claim's history (status changes, staff and claimant
actions) and the audit log, and returns the status change, if any, for the caller to publish
(webhooks) once its transaction is committed.

The edges (the API, the staff console, the claimant's page, the CLI) and the workers' job store
call these functions; none of them sets a status or writes a history row itself. The caller owns
the transaction: nothing here commits, except ``submit``, which must settle an idempotent retry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claim_intake.benefit.views import benefit_body
from claim_intake.errors import (
    ClaimLockedError,
    InvalidRequestError,
    InvalidTransitionError,
    NotFoundError,
)
from claim_intake.extract.models import DocType
from claim_intake.intake.auth import Caller
from claim_intake.intake.corrections import correctable_fields, normalise_correction
from claim_intake.intake.duplicates import duplicate_image_findings
from claim_intake.intake.store.db import (
    AuditEntry,
    ClaimAssignment,
    ClaimEvent,
    ClaimRow,
    DocumentRow,
    FieldCorrection,
    FieldRow,
    FindingRow,
    FindingWaiver,
    InvoiceUse,
    PageRow,
    StaffMember,
    StatusChange,
    keyring_of,
    new_id,
    utcnow,
)
from claim_intake.intake.store.reads import file_report
from claim_intake.intake.store.search import field_lookup
from claim_intake.intake.uploads import Upload
from claim_intake.ocr.models import Page
from claim_intake.pipeline import INTERNAL_ERROR, ClaimReport, FileReport
from claim_intake.validators.models import FindingCode, InvoiceRef, Severity
from claim_intake.workers.jobs import StatusChanged


class ClaimState(StrEnum):
    processing = "processing"
    """Documents are being read, or the claim waits for its assessment."""
    needs_follow_up = "needs_follow_up"
    """Assessed: an open finding (or a file a bug kept from being read) needs staff."""
    complete = "complete"
    """Assessed: nothing open. The pre-screen is done."""
    approved = "approved"
    """Staff approved an amount; it waits for its payout batch to be paid."""
    paid = "paid"
    """The payout is recorded."""
    rejected = "rejected"
    """Staff declined it, with a reason."""


class DocumentState(StrEnum):
    queued = "queued"
    reading = "reading"
    read = "read"
    failed = "failed"


UNREAD = (DocumentState.queued, DocumentState.reading)


class Reason(StrEnum):
    """Why a claim changed state, as its history shows."""

    submitted = "submitted"
    documents_added = "documents_added"
    document_removed = "document_removed"
    field_corrected = "field_corrected"
    finding_waived = "finding_waived"
    assessed = "assessed"
    approved = "approved"
    rejected = "rejected"
    paid = "paid"
    approval_reversed = "approval_reversed"


TRANSITIONS: Mapping[ClaimState | None, frozenset[ClaimState]] = {
    None: frozenset({ClaimState.processing}),
    ClaimState.processing: frozenset({ClaimState.needs_follow_up, ClaimState.complete}),
    # Assessed claims are processing again when something changes what they are assessed on.
    ClaimState.needs_follow_up: frozenset({ClaimState.processing, ClaimState.rejected}),
    ClaimState.complete: frozenset({ClaimState.processing, ClaimState.approved, ClaimState.rejected}),
    # Past complete only staff move a claim (``staff_move``); approved goes back only by a reversal.
    ClaimState.approved: frozenset({ClaimState.paid, ClaimState.complete}),
    ClaimState.paid: frozenset(),
    ClaimState.rejected: frozenset(),
}
DECIDED = frozenset({ClaimState.approved, ClaimState.paid, ClaimState.rejected})
"""Claims staff decided: nothing changes them (corrections, waivers, uploads) but a reversal."""

CHANNELS = ("phone", "sms", "wechat")
OUTCOMES = ("reached", "no_answer", "left_message", "wrong_number")
MAX_TEXT = 1000
LINK_CALLER = "follow-up-link"
"""The audit log's name for what is done through a follow-up link."""
OPEN_SEVERITIES = (Severity.blocking.value, Severity.follow_up.value)


# --- states -----------------------------------------------------------------------------------------

def _move(session: Session, claim: ClaimRow, to: ClaimState, reason: Reason) -> StatusChanged | None:
    """The one place a claim's status is written. Staying where it is records nothing."""
    current = ClaimState(claim.status) if claim.status else None
    claim.updated_at = utcnow()
    if current is to:
        return None
    if to not in TRANSITIONS[current]:
        raise InvalidTransitionError(f"claim {claim.id} cannot go from {current} to {to} ({reason})")
    claim.status = to.value
    session.add(StatusChange(claim_id=claim.id, status=to.value, reason=reason.value))
    return StatusChanged(claim.id, current.value, to.value) if current else None


def staff_move(session: Session, staff: StaffMember, claim: ClaimRow, to: ClaimState, cause: Reason,
               **detail: object) -> StatusChanged | None:
    """A status change staff decided (approval, rejection, payment, reversal): in the status
    history, and in the claim's history and the audit log with who and why."""
    change = _move(session, claim, to, cause)
    _event(session, claim, staff, f"claim.{cause.value}", **detail)
    return change


def require_undecided(claim: ClaimRow) -> None:
    if claim.status in DECIDED:
        raise ClaimLockedError(f"claim {claim.id} is {claim.status}: it cannot be changed"
                               + (" unless its approval is reversed" if claim.status == ClaimState.approved else ""))


def finding_key(finding: Mapping[str, Any]) -> str:
    """What identifies a finding across assessments of the same claim: its code and what it is
    about (document type, field, documents), never its wording, which may be reworded."""
    return "|".join([finding["code"], finding.get("doc_type") or "", finding.get("field") or "",
                     ",".join(finding.get("documents") or ())])


def is_open(finding: Mapping[str, Any], waived: set[str]) -> bool:
    return finding["severity"] in OPEN_SEVERITIES and finding_key(finding) not in waived


def assessed_state(findings: Iterable[Mapping[str, Any]], waived: set[str] = frozenset(),  # type: ignore[assignment]
                   internal_errors: bool = False) -> ClaimState:
    """Where an assessment leaves a claim: open findings that staff did not waive, or a file a bug
    kept from being read (``internal_errors``), need follow-up."""
    if internal_errors or any(is_open(f, waived) for f in findings):
        return ClaimState.needs_follow_up
    return ClaimState.complete


def waived_keys(session: Session, claim_id: str) -> set[str]:
    return set(session.scalars(select(FindingWaiver.finding_key).where(FindingWaiver.claim_id == claim_id)))


def open_claimant_messages(session: Session, claim: ClaimRow) -> list[str]:
    """What the claimant is asked for: the open findings' messages, each once."""
    waived = waived_keys(session, claim.id)
    return list(dict.fromkeys(f.body["message_claimant"] for f in claim.findings if is_open(f.body, waived)))


# --- history and audit ------------------------------------------------------------------------------

def audit(session: Session, caller: Caller, action: str, claim_id: str | None = None,
          document_id: str | None = None) -> None:
    session.add(AuditEntry(organisation_id=caller.organisation_id, api_key_id=caller.api_key_id,
                           action=action, claim_id=claim_id, document_id=document_id))


def _event(session: Session, claim: ClaimRow, staff: StaffMember | None, action: str, **detail: object) -> None:
    """The claim's history as staff see it; ``staff`` None: the claimant."""
    session.add(ClaimEvent(claim_id=claim.id, staff_id=staff.id if staff else None, action=action, detail=detail))
    if staff is not None:
        audit(session, Caller(staff.organisation_id, staff.id), action, claim.id)


# --- use cases: intake --------------------------------------------------------------------------------

def _add_document_rows(session: Session, claim: ClaimRow, uploads: list[Upload], keys: list[str | None]) -> list[str]:
    """Returns the ids of the documents to read."""
    # After the first free position: a member may have taken an upload back (remove_document).
    position = max((d.position for d in claim.documents), default=-1) + 1
    queued = []
    for n, (upload, key) in enumerate(zip(uploads, keys, strict=True)):
        document = DocumentRow(
            id=new_id("doc"), claim_id=claim.id, position=position + n, filename=upload.filename,
            content_type=upload.content_type, size=upload.size, sha256=key,
            status=(DocumentState.failed if upload.error else DocumentState.queued).value,
            error=upload.error.to_dict() if upload.error else None, parts=[],
        )
        session.add(document)
        claim.documents.append(document)
        if not upload.error:
            queued.append(document.id)
    return queued


def find_retry(session: Session, caller: Caller, idempotency_key: str | None) -> ClaimRow | None:
    if idempotency_key is None:
        return None
    return session.scalar(select(ClaimRow).where(ClaimRow.organisation_id == caller.organisation_id,
                                              ClaimRow.idempotency_key == idempotency_key))


def submit(session: Session, caller: Caller, *, claim_type: str, claimant_name: str | None,
           external_id: str | None, idempotency_key: str | None, uploads: list[Upload],
           keys: list[str | None], zone: ZoneInfo, claimant_id_number: str | None = None,
           claimant_unit: str | None = None) -> tuple[ClaimRow, list[str]]:
    """A new claim (committed) and the documents to read. A concurrent retry with the same
    Idempotency-Key that won the race is returned instead, with nothing to read."""
    now = utcnow()
    claim = ClaimRow(
        id=new_id("clm"), organisation_id=caller.organisation_id, claim_type=claim_type,
        claimant_name=claimant_name, external_id=external_id, idempotency_key=idempotency_key,
        claimant_id_number=claimant_id_number, claimant_unit=claimant_unit, status=None,
        submitted_on=now.astimezone(zone).date(), created_at=now, updated_at=now,
    )
    session.add(claim)
    queued = _add_document_rows(session, claim, uploads, keys)
    _move(session, claim, ClaimState.processing, Reason.submitted)
    audit(session, caller, "claim.create", claim.id)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = find_retry(session, caller, idempotency_key)
        if existing is None:
            raise
        return existing, []
    return claim, queued


def accepts_claimant_uploads(claim: ClaimRow) -> bool:
    """A follow-up link asks for what is missing: nothing, once the claim is complete or decided."""
    return claim.status in (ClaimState.processing, ClaimState.needs_follow_up)


def add_documents(session: Session, caller: Caller, claim: ClaimRow, uploads: list[Upload],
                  keys: list[str | None], *, by_claimant: bool = False) -> tuple[StatusChanged | None, list[str]]:
    """More materials for a claim: it is processing again until they are read. The claimant (a
    follow-up link) may add to a claim only while it is not complete. Returns the status change
    and the documents to read."""
    require_undecided(claim)
    if by_claimant:
        if not accepts_claimant_uploads(claim):
            raise InvalidTransitionError(f"claim {claim.id} is complete: nothing more is asked of the claimant")
        _event(session, claim, None, "claimant.uploaded", count=len(uploads), files=[u.filename for u in uploads])
    queued = _add_document_rows(session, claim, uploads, keys)
    change = _move(session, claim, ClaimState.processing, Reason.documents_added) if queued else None
    claim.updated_at = utcnow()
    audit(session, caller, "claim.upload", claim.id)
    return change, queued


def remove_document(session: Session, caller: Caller, claim: ClaimRow, document_id: str) -> StatusChanged | None:
    """A member takes an upload back before sending the claim (a blurred photo they retook, the
    wrong paper): it goes with what was read in it (its bytes stay in the object store, its name
    in the history), and the claim is processing until assessed again without it."""
    document = next((d for d in claim.documents if d.id == document_id), None)
    if document is None:
        raise NotFoundError(f"no document {document_id} in claim {claim.id}")
    if document.status in UNREAD:
        raise InvalidTransitionError(f"document {document_id} is being read")
    for table in (FieldRow, PageRow, InvoiceUse, FieldCorrection):
        session.execute(delete(table).where(table.document_id == document.id))
    claim.documents.remove(document)
    session.delete(document)
    _event(session, claim, None, "claimant.removed", document=document.id, file=document.filename,
           sha256=document.sha256)
    audit(session, caller, "claim.remove_document", claim.id)
    return _move(session, claim, ClaimState.processing, Reason.document_removed)


def member_submitted(session: Session, claim: ClaimRow) -> None:
    """The member sent the claim from their phone (complete or not): its history says so."""
    _event(session, claim, None, "member.submitted", status=claim.status)
    claim.updated_at = utcnow()


# --- use cases: reading and assessing (called by the workers' job store) ----------------------------

def document_read(session: Session, row: DocumentRow, report: FileReport, organisation_id: str) -> None:
    """Stores what was read in a document. A document read again (recovery after a crash)
    replaces what was stored before."""
    for table in (FieldRow, PageRow, InvoiceUse):
        session.execute(delete(table).where(table.document_id == row.id))
    keyring = keyring_of(session)
    row.status = (DocumentState.failed if report.error else DocumentState.read).value
    row.error = report.error.model_dump(mode="json") if report.error else None
    row.parts = [{"doc_type": d.doc_type.value, "confidence": d.confidence, "pages": list(d.pages)}
                 for d in report.documents]
    row.read_seconds = report.seconds
    row.read_at = utcnow()
    session.add_all(
        FieldRow(document_id=row.id, part=n, name=name, value=field.value, raw=_text(field.raw),
                 lookup=field_lookup(name, field.value, keyring),
                 confidence=field.confidence, page=field.page, box=list(field.box) if field.box else None)
        for n, document in enumerate(report.documents)
        for name, field in document.fields.items()
    )
    session.add_all(
        PageRow(document_id=row.id, number=p.number, source=p.source.value, width=p.width, height=p.height,
                text=_text(p.text), source_width=p.source_width, source_height=p.source_height, lines=_lines(p),
                image_hash=p.image_hash, quality=p.quality.model_dump(mode="json") if p.quality else None)
        for p in report.pages
    )
    session.add_all(
        InvoiceUse(organisation_id=organisation_id, claim_id=row.claim_id, document_id=row.id,
                   invoice_code=ref.invoice_code or "", invoice_number=ref.invoice_number)
        for ref in _invoices(report)
    )


def _api_ids(files: Sequence[tuple[str, FileReport]], report: ClaimReport) -> dict[str, str]:
    """The assessment's document ids -> the API's (``doc#n`` when one file held several documents)."""
    api_ids: list[str] = []
    for document_id, file in files:
        many = len(file.documents) > 1
        api_ids.extend(f"{document_id}#{n}" if many else document_id for n in range(1, len(file.documents) + 1))
    return {doc.id: api_ids[n] for n, doc in enumerate(report.documents)}


def _finding_bodies(claim: ClaimRow, files: Sequence[tuple[str, FileReport]], report: ClaimReport) -> list[dict[str, Any]]:
    """The findings as the API shows them: documents named by the API's ids, and an unreadable
    file's finding naming its upload."""
    unreadable = [document_id for document_id, file in files
                  if file.error is not None and file.error.code != INTERNAL_ERROR]
    api_id = _api_ids(files, report)
    bodies = []
    for finding in report.assessment.findings:
        body = finding.model_dump(mode="json")
        body["documents"] = [api_id.get(d, d) for d in body["documents"]]
        if finding.code is FindingCode.unreadable_file and not body["documents"] and unreadable:
            # One finding per unreadable file, in upload order: its upload is what it is about.
            body["documents"] = [unreadable.pop(0)]
        for evidence in body["evidence"]:
            evidence["document"] = api_id.get(evidence["document"], evidence["document"])
        bodies.append(body)
    return bodies


def assess(session: Session, claim: ClaimRow, files: Sequence[tuple[str, FileReport]],
           report: ClaimReport) -> StatusChanged | None:
    """Stores an assessment of the claim over ``files`` (its documents' ids and what was read in
    them, in upload order): findings, rule-set version, and the state it leaves the claim in,
    honouring the findings staff waived. Only a processing claim is assessed: anything else was
    assessed since its last change."""
    if claim.status != ClaimState.processing:
        raise InvalidTransitionError(f"claim {claim.id} is {claim.status}: assessed since its last change")
    session.execute(delete(FindingRow).where(FindingRow.claim_id == claim.id))
    bodies = _finding_bodies(claim, files, report) + duplicate_image_findings(session, claim)
    for position, body in enumerate(bodies):
        session.add(FindingRow(claim_id=claim.id, position=position, code=body["code"],
                               severity=body["severity"], body=body))
    internal = any(file.error is not None and file.error.code == INTERNAL_ERROR for _, file in files)
    claim.rule_set_version = report.assessment.rule_set_version
    eligibility = report.eligibility
    claim.member_id = eligibility.member_id if eligibility else None
    claim.benefit = benefit_body(eligibility.benefit, _api_ids(files, report)) if eligibility and eligibility.benefit else None
    return _move(session, claim, assessed_state(bodies, waived_keys(session, claim.id), internal), Reason.assessed)


# --- use cases: staff ---------------------------------------------------------------------------------

def _typed(value: str, what: str, required: bool = True) -> str:
    """What staff typed: trimmed, present when ``required``, and not too long."""
    value = value.strip()
    if required and not value:
        raise InvalidRequestError(f"{what} is required")
    if len(value) > MAX_TEXT:
        raise InvalidRequestError(f"{what} is longer than {MAX_TEXT} characters")
    return value


def correct_field(session: Session, staff: StaffMember, claim: ClaimRow, document_id: str, part: int,
                  name: str, typed: str) -> StatusChanged | None:
    """A value staff read on the page themselves; the claim is processing until assessed again
    with it (then and on every later assessment). Raises CorrectionError for a value the field
    cannot hold."""
    require_undecided(claim)
    document = next((d for d in claim.documents if d.id == document_id), None)
    if document is None or document.status != DocumentState.read or not 0 <= part < len(document.parts):
        raise NotFoundError(f"no document {document_id} (part {part}) in claim {claim.id}")
    doc_type = document.parts[part]["doc_type"]
    if name not in correctable_fields(doc_type):
        raise InvalidRequestError(f"{name} is not a field of a {doc_type}")
    typed = _typed(typed, "the value")
    value = normalise_correction(doc_type, name, typed)
    previous = file_report(document).documents[part].fields.get(name)
    session.add(FieldCorrection(document_id=document.id, part=part, name=name, value=value, raw=typed,
                                staff_id=staff.id))
    _event(session, claim, staff, "field.corrected", document=document.id, doc_type=doc_type, field=name,
           value=value, previous=previous.value if previous else None)
    return _move(session, claim, ClaimState.processing, Reason.field_corrected)


def waive_finding(session: Session, staff: StaffMember, claim: ClaimRow, key: str, reason: str) -> StatusChanged | None:
    """A finding staff decided not to pursue no longer keeps the claim open, on this and every
    later assessment; the claim is processing until assessed again."""
    require_undecided(claim)
    finding = next((f.body for f in claim.findings if finding_key(f.body) == key), None)
    if finding is None:
        raise NotFoundError(f"no such finding in claim {claim.id}")
    reason = _typed(reason, "the reason")
    session.add(FindingWaiver(claim_id=claim.id, finding_key=key, reason=reason, staff_id=staff.id))
    _event(session, claim, staff, "finding.waived", code=finding["code"], doc_type=finding.get("doc_type"),
           field=finding.get("field"), reason=reason)
    return _move(session, claim, ClaimState.processing, Reason.finding_waived)


def assign(session: Session, staff: StaffMember, claim: ClaimRow, assignee_id: str | None) -> None:
    """``assignee_id`` None: nobody."""
    assignee = session.get(StaffMember, assignee_id) if assignee_id else None
    if assignee_id and (assignee is None or assignee.organisation_id != claim.organisation_id):
        raise NotFoundError(f"no staff member {assignee_id}")
    current = session.get(ClaimAssignment, claim.id)
    if assignee is None:
        if current is not None:
            session.delete(current)
    elif current is None:
        session.add(ClaimAssignment(claim_id=claim.id, staff_id=assignee.id))
    else:
        current.staff_id, current.assigned_at = assignee.id, utcnow()
    _event(session, claim, staff, "claim.assigned", assignee=assignee.email if assignee else None)


def log_contact(session: Session, staff: StaffMember, claim: ClaimRow, channel: str, outcome: str,
                next_step: str) -> None:
    if channel not in CHANNELS:
        raise InvalidRequestError(f"channel: one of {', '.join(CHANNELS)}")
    if outcome not in OUTCOMES:
        raise InvalidRequestError(f"outcome: one of {', '.join(OUTCOMES)}")
    _event(session, claim, staff, "contact.logged", channel=channel, outcome=outcome,
           next_step=_typed(next_step, "the next step", required=False))


def create_follow_up_link(session: Session, staff: StaffMember, claim: ClaimRow, expires_days: float) -> None:
    """Records the link; the console signs it (the link itself is never stored). A decided claim
    takes no more materials, so it gets no link."""
    require_undecided(claim)
    _event(session, claim, staff, "link.created", expires_days=expires_days)


# --- what a read page keeps -----------------------------------------------------------------------

def _text(value: str) -> str:
    # PostgreSQL's text cannot hold NUL, which a PDF's text layer may contain.
    return value.replace("\x00", "")


def _lines(page: Page) -> list[dict[str, object]]:
    """The OCR lines as the console draws them: boxes on the upload itself."""
    return [{"text": _text(line.text), "confidence": line.confidence, "box": list(line.source_box)}
            for line in page.lines]


_INVOICES = (DocType.invoice_inpatient, DocType.invoice_outpatient)


def _invoices(report: FileReport) -> list[InvoiceRef]:
    refs = []
    for document in report.documents:
        number = document.fields.get("invoice_number")
        if document.doc_type in _INVOICES and number is not None:
            code = document.fields.get("invoice_code")
            refs.append(InvoiceRef(invoice_code=str(code.value) if code else None, invoice_number=str(number.value)))
    return refs

