"""What staff change on a claim. Each change is recorded in the claim's history (``ClaimEvent``)
with who and when; a correction or a waiver has the claim assessed again at once."""

from __future__ import annotations

from concurrent.futures import Future

from sqlalchemy.orm import Session

from claim_intake.errors import InvalidRequestError, NotFoundError
from claim_intake.intake.db import (
    Claim,
    ClaimAssignment,
    ClaimEvent,
    FieldCorrection,
    FindingWaiver,
    StaffMember,
    StatusChange,
    utcnow,
)
from claim_intake.intake.job_store import file_report
from claim_intake.intake.service import Service
from claim_intake.intake.web.review import correctable_fields, finding_key, normalise_correction
from claim_intake.workers.jobs import StatusChanged

CHANNELS = ("phone", "sms", "wechat")
OUTCOMES = ("reached", "no_answer", "left_message", "wrong_number")
MAX_TEXT = 1000
ASSESSMENT_WAIT_S = 5.0


def get_claim(session: Session, staff: StaffMember, claim_id: str) -> Claim:
    """Another organisation's claim does not exist, as far as staff can tell."""
    claim = session.get(Claim, claim_id)
    if claim is None or claim.organisation_id != staff.organisation_id:
        raise NotFoundError(f"no claim {claim_id}")
    return claim


def _text(value: str, what: str, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidRequestError(f"{what} is required")
    if len(value) > MAX_TEXT:
        raise InvalidRequestError(f"{what} is longer than {MAX_TEXT} characters")
    return value


def _event(session: Session, claim: Claim, staff: StaffMember, action: str, **detail: object) -> None:
    session.add(ClaimEvent(claim_id=claim.id, staff_id=staff.id, action=action, detail=detail))


def correct_field(session: Session, staff: StaffMember, claim: Claim, document_id: str, part: int,
                  name: str, typed: str) -> str:
    """Raises CorrectionError for a value the field cannot hold. Returns the claim's status before,
    for ``reassess``."""
    document = next((d for d in claim.documents if d.id == document_id), None)
    if document is None or document.status != "read" or not 0 <= part < len(document.parts):
        raise NotFoundError(f"no document {document_id} (part {part}) in claim {claim.id}")
    doc_type = document.parts[part]["doc_type"]
    if name not in correctable_fields(doc_type):
        raise InvalidRequestError(f"{name} is not a field of a {doc_type}")
    typed = _text(typed, "the value")
    value = normalise_correction(doc_type, name, typed)
    previous = file_report(document).documents[part].fields.get(name)
    session.add(FieldCorrection(document_id=document.id, part=part, name=name, value=value, raw=typed,
                                staff_id=staff.id))
    _event(session, claim, staff, "field.corrected", document=document.id, doc_type=doc_type, field=name,
           value=value, previous=previous.value if previous else None)
    return _reopen(session, claim, "field_corrected")


def waive_finding(session: Session, staff: StaffMember, claim: Claim, key: str, reason: str) -> str:
    """Returns the claim's status before, for ``reassess``."""
    finding = next((f.body for f in claim.findings if finding_key(f.body) == key), None)
    if finding is None:
        raise NotFoundError(f"no such finding in claim {claim.id}")
    reason = _text(reason, "the reason")
    session.add(FindingWaiver(claim_id=claim.id, finding_key=key, reason=reason, staff_id=staff.id))
    _event(session, claim, staff, "finding.waived", code=finding["code"], doc_type=finding.get("doc_type"),
           field=finding.get("field"), reason=reason)
    return _reopen(session, claim, "finding_waived")


def assign(session: Session, staff: StaffMember, claim: Claim, assignee_id: str | None) -> None:
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


def log_contact(session: Session, staff: StaffMember, claim: Claim, channel: str, outcome: str,
                next_step: str) -> None:
    if channel not in CHANNELS:
        raise InvalidRequestError(f"channel: one of {', '.join(CHANNELS)}")
    if outcome not in OUTCOMES:
        raise InvalidRequestError(f"outcome: one of {', '.join(OUTCOMES)}")
    _event(session, claim, staff, "contact.logged", channel=channel, outcome=outcome,
           next_step=_text(next_step, "the next step", required=False))


def link_created(session: Session, staff: StaffMember, claim: Claim, expires_days: float) -> None:
    _event(session, claim, staff, "link.created", expires_days=expires_days)


def _reopen(session: Session, claim: Claim, reason: str) -> str:
    """The job store assesses only claims that are processing (anything else was assessed since its
    last change): a reviewed claim is processing again until ``reassess`` has run."""
    previous = claim.status
    if previous != "processing":
        claim.status = "processing"
        session.add(StatusChange(claim_id=claim.id, status="processing", reason=reason))
    claim.updated_at = utcnow()
    return previous


def reassess(service: Service, claim_id: str, previous: str) -> None:
    """Has the reviewed claim assessed by whoever assesses claims (the embedded executor, or a
    worker through the broker). The embedded executor answers with a Future: it is waited for a
    moment, as an assessment only weighs stored fields, so that the page after the action shows
    its outcome; otherwise the claim page refreshes itself while the claim is processing."""
    if previous != "processing":
        service.webhooks.status_changed(StatusChanged(claim_id, previous, "processing"))
    done = service.executor.submit_assessment(claim_id)
    if isinstance(done, Future):
        try:
            done.result(timeout=ASSESSMENT_WAIT_S)
        except TimeoutError:
            pass  # the executor is busy reading: the claim page polls
