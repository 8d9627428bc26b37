"""The database behind the workers' jobs: what ``claim_intake.workers.jobs.JobStore`` asks for."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from claim_intake.extract.models import DocType, Document, Field
from claim_intake.intake.db import (
    Claim,
    FieldRow,
    FindingRow,
    InvoiceUse,
    PageRow,
    StatusChange,
    utcnow,
)
from claim_intake.intake.db import Document as DocumentRow
from claim_intake.intake.metrics import Metrics
from claim_intake.validators.models import InvoiceRef
from claim_intake.workers.jobs import ClaimToAssess, StatusChanged, Upload
from claim_intake.workers.pipeline import ClaimReport, FileError, FileReport

UNREAD = ("queued", "reading")
_INVOICES = (DocType.invoice_inpatient, DocType.invoice_outpatient)


class DbInvoiceRegistry:
    """Invoices of the organisation's other claims, for the duplicate check."""

    def __init__(self, sessions: sessionmaker[Session], organisation_id: str, claim_id: str) -> None:
        self._sessions = sessions
        self._organisation_id = organisation_id
        self._claim_id = claim_id

    def claims_using(self, invoice: InvoiceRef) -> list[str]:
        query = (
            select(InvoiceUse.claim_id)
            .where(
                InvoiceUse.organisation_id == self._organisation_id,
                InvoiceUse.invoice_number == invoice.invoice_number,
                InvoiceUse.invoice_code == (invoice.invoice_code or ""),
                InvoiceUse.claim_id != self._claim_id,
            )
            .distinct()
            .order_by(InvoiceUse.claim_id)
        )
        with self._sessions() as session:
            return list(session.scalars(query))


def file_report(row: DocumentRow) -> FileReport:
    """A stored document back into the pipeline's FileReport (pages' text is not needed)."""
    if row.error is not None:
        return FileReport(file=row.filename, error=FileError.model_validate(row.error), seconds=0.0)
    fields: list[dict[str, Field]] = [{} for _ in row.parts]
    for f in row.fields:
        fields[f.part][f.name] = Field(
            value=f.value, raw=f.raw, confidence=f.confidence, page=f.page,
            box=tuple(f.box) if f.box else None,
        )
    documents = tuple(
        Document(doc_type=part["doc_type"], confidence=part["confidence"], pages=tuple(part["pages"]), fields=fields[n])
        for n, part in enumerate(row.parts)
    )
    return FileReport(file=row.filename, documents=documents, seconds=row.read_seconds or 0.0)


def _part_ids(document_ids: tuple[str, ...], files: tuple[FileReport, ...]) -> list[str]:
    """The API's id for each document the assessment saw, in its order: the upload's id, with
    ``#n`` when one file held several documents."""
    ids: list[str] = []
    for document_id, report in zip(document_ids, files, strict=True):
        many = len(report.documents) > 1
        ids.extend(f"{document_id}#{n}" if many else document_id for n in range(1, len(report.documents) + 1))
    return ids


class SqlJobStore:
    def __init__(self, sessions: sessionmaker[Session], metrics: Metrics) -> None:
        self._sessions = sessions
        self._metrics = metrics

    def start_reading(self, document_id: str) -> Upload | None:
        with self._sessions.begin() as session:
            row = session.get(DocumentRow, document_id)
            if row is None or row.status not in UNREAD or row.sha256 is None:
                return None
            row.status = "reading"
            return Upload(document_id=row.id, claim_id=row.claim_id, filename=row.filename, storage_key=row.sha256)

    def save_read(self, document_id: str, report: FileReport) -> None:
        with self._sessions.begin() as session:
            row = session.get(DocumentRow, document_id)
            if row is None:
                return
            # A document read again (recovery after a crash) replaces what was stored before.
            for table in (FieldRow, PageRow, InvoiceUse):
                session.execute(delete(table).where(table.document_id == document_id))
            row.status = "failed" if report.error else "read"
            row.error = report.error.model_dump(mode="json") if report.error else None
            row.parts = [
                {"doc_type": d.doc_type.value, "confidence": d.confidence, "pages": list(d.pages)}
                for d in report.documents
            ]
            row.read_seconds = report.seconds
            row.read_at = utcnow()
            session.add_all(_field_rows(document_id, report))
            session.add_all(
                PageRow(document_id=document_id, number=p.number, source=p.source.value,
                        width=p.width, height=p.height, text=_text(p.text))
                for p in report.pages
            )
            organisation_id = session.get_one(Claim, row.claim_id).organisation_id
            session.add_all(
                InvoiceUse(organisation_id=organisation_id, claim_id=row.claim_id, document_id=document_id,
                           invoice_code=ref.invoice_code or "", invoice_number=ref.invoice_number)
                for ref in _invoices(report)
            )
        self._metrics.documents_read.labels(outcome=row.status).inc()
        self._metrics.read_seconds.observe(report.seconds)

    def fail_reading(self, document_id: str, error: FileError) -> str | None:
        with self._sessions.begin() as session:
            row = session.get(DocumentRow, document_id)
            if row is None:
                return None
            row.status = "failed"
            row.error = error.model_dump(mode="json", exclude_none=True)
            row.read_at = utcnow()
        self._metrics.documents_read.labels(outcome="failed").inc()
        return row.claim_id

    def claim_to_assess(self, claim_id: str) -> ClaimToAssess | None:
        with self._sessions() as session:
            claim = session.get(Claim, claim_id)
            if claim is None or any(d.status in UNREAD for d in claim.documents):
                return None
            return ClaimToAssess(
                claim_id=claim.id,
                claim_type=claim.claim_type,
                claimant_name=claim.claimant_name,
                submitted_on=claim.submitted_on,
                files=tuple(file_report(d) for d in claim.documents),
                document_ids=tuple(d.id for d in claim.documents),
                registry=DbInvoiceRegistry(self._sessions, claim.organisation_id, claim.id),
            )

    def save_assessment(self, claim: ClaimToAssess, report: ClaimReport) -> StatusChanged | None:
        with self._sessions.begin() as session:
            row = session.get(Claim, claim.claim_id, with_for_update=True)
            if row is None:
                return None
            current = tuple(d.id for d in row.documents)
            if current != claim.document_ids or any(d.status in UNREAD for d in row.documents):
                return None
            ids = _part_ids(claim.document_ids, claim.files)
            api_id = {doc.id: ids[n] for n, doc in enumerate(report.documents)}
            session.execute(delete(FindingRow).where(FindingRow.claim_id == row.id))
            for position, finding in enumerate(report.assessment.findings):
                body = finding.model_dump(mode="json")
                body["documents"] = [api_id.get(d, d) for d in body["documents"]]
                for evidence in body["evidence"]:
                    evidence["document"] = api_id.get(evidence["document"], evidence["document"])
                session.add(FindingRow(claim_id=row.id, position=position, code=finding.code.value,
                                       severity=finding.severity.value, body=body))
            previous, status = row.status, report.assessment.status.value
            row.status = status
            row.rule_set_version = report.assessment.rule_set_version
            row.updated_at = utcnow()
            if previous != status:
                session.add(StatusChange(claim_id=row.id, status=status, reason="assessed"))
        self._metrics.claims_assessed.labels(status=status).inc()
        return StatusChanged(claim_id=claim.claim_id, previous=previous, status=status) if previous != status else None


def _field_rows(document_id: str, report: FileReport) -> list[FieldRow]:
    return [
        FieldRow(document_id=document_id, part=n, name=name, value=field.value, raw=_text(field.raw),
                 confidence=field.confidence, page=field.page, box=list(field.box) if field.box else None)
        for n, document in enumerate(report.documents)
        for name, field in document.fields.items()
    ]


def _text(value: str) -> str:
    # PostgreSQL's text cannot hold NUL, which a PDF's text layer may contain.
    return value.replace("\x00", "")


def _invoices(report: FileReport) -> list[InvoiceRef]:
    refs = []
    for document in report.documents:
        number = document.fields.get("invoice_number")
        if document.doc_type in _INVOICES and number is not None:
            code = document.fields.get("invoice_code")
            refs.append(InvoiceRef(invoice_code=str(code.value) if code else None, invoice_number=str(number.value)))
    return refs
