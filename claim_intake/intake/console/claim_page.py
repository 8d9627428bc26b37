"""The claim page's content: each document's pages with the boxes to draw over them, the fields
beside them, the findings with their evidence, the benefit estimate, and the history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from claim_intake.extract.models import Field
from claim_intake.intake.console.i18n import Translator
from claim_intake.intake.corrections import correctable_fields
from claim_intake.intake.lifecycle import OPEN_SEVERITIES, DocumentState, finding_key
from claim_intake.intake.masking import is_sensitive, mask_text, mask_value
from claim_intake.intake.store.db import (
    ClaimEvent,
    ClaimRow,
    DocumentRow,
    FindingWaiver,
    StaffMember,
    StatusChange,
)
from claim_intake.intake.store.members import find_member
from claim_intake.intake.store.reads import file_report
from claim_intake.roster.identity import mask_id_number


def box_style(box: list[float] | tuple[float, ...], width: int, height: int) -> str:
    """A box in page pixels as CSS in fractions of the page: right whatever size the image is shown."""
    x0, y0, x1, y1 = box
    return (f"left:{100 * x0 / width:.3f}%;top:{100 * y0 / height:.3f}%;"
            f"width:{100 * (x1 - x0) / width:.3f}%;height:{100 * (y1 - y0) / height:.3f}%")


@dataclass
class Overlay:
    style: str
    title: str
    finding: int | None = None
    anchor: str | None = None


@dataclass
class PageView:
    document_id: str
    number: int
    anchor: str
    width: int
    height: int
    lines: list[Overlay] = field(default_factory=list)
    fields: list[Overlay] = field(default_factory=list)
    evidence: list[Overlay] = field(default_factory=list)
    flagged_by: list[int] = field(default_factory=list)
    """Findings that point at the whole page (no box)."""


@dataclass
class FieldView:
    name: str
    label: str
    field: Field
    corrected: bool
    masked: bool = False
    """Shown masked: its correction form starts empty rather than with the mask."""


@dataclass
class PartView:
    index: int
    doc_type: str
    pages: list[int]
    fields: list[FieldView]
    addable: list[tuple[str, str]]
    """Fields staff may enter that were not read: (name, label)."""


@dataclass
class DocumentView:
    row: DocumentRow
    parts: list[PartView]
    pages: list[PageView]


@dataclass
class FindingView:
    index: int
    body: dict[str, Any]
    key: str
    open: bool
    waiver: FindingWaiver | None
    waived_by: str | None
    anchors: list[str]
    """Pages the evidence is on (``PageView.anchor``)."""


@dataclass
class HistoryEntry:
    at: datetime
    who: str
    text: str


def page_anchor(document_id: str, number: int) -> str:
    return f"{document_id}-p{number}"


def field_anchor(document_id: str, part: int, name: str) -> str:
    """A field's box on its page (and, where it has none, its row in the field table)."""
    return f"{document_id}-{part}-{name}"


@dataclass
class StepView:
    name: str
    value: str
    source: str
    """As the API names it (``settlement.self_pay``)."""
    label: str
    """As staff read it: the document and the field by their names."""
    href: str | None
    """The field's box on the page, for a value read in a document."""


@dataclass
class MemberView:
    name: str
    id_number: str | None
    unit: str | None


def member(session: Session, claim: ClaimRow) -> MemberView | None:
    """The roster's member the claim was matched to, masked."""
    row = find_member(session, claim.organisation_id, claim.member_id) if claim.member_id else None
    return MemberView(row.name, mask_id_number(row.id_number), row.unit) if row else None


def benefit_steps(claim: ClaimRow, views: list[DocumentView], t: Translator) -> list[StepView]:
    """The estimate's steps, each document field linked to its box (or its row in the table)."""
    if not claim.benefit:
        return []
    boxes = {o.anchor for d in views for p in d.pages for o in p.fields if o.anchor}
    steps = []
    for step in claim.benefit["steps"]:
        href, label = None, step["source"]
        if step.get("document") and step.get("field"):
            document_id, _, n = step["document"].partition("#")
            anchor = field_anchor(document_id, int(n) - 1 if n else 0, step["field"])
            href = f"#{anchor}" if anchor in boxes else f"#{anchor}-row"
            doc_type = step["source"].split(".", 1)[0]
            label = f"{t.doc_type(doc_type)}·{t.field(doc_type, step['field'])}"
        steps.append(StepView(step["name"], step["value"], step["source"], label, href))
    return steps


def _pages(document: DocumentRow, reveal: bool) -> list[PageView]:
    views = []
    for page in document.pages:
        width, height = page.source_width or page.width, page.source_height or page.height
        view = PageView(document.id, page.number, page_anchor(document.id, page.number), width, height)
        view.lines = [Overlay(box_style(line["box"], width, height), line["text"] if reveal else mask_text(line["text"]))
                      for line in page.lines or ()]
        views.append(view)
    return views


def _shown(name: str, field: Field, reveal: bool) -> Field:
    """ID and bank numbers masked on the page, in the table and in the box titles alike, unless
    revealed (``roles.REVEALERS``, audited by the caller)."""
    if reveal or not is_sensitive(name):
        return field
    return field.model_copy(update={"value": mask_value(name, field.value), "raw": mask_value(name, field.raw)})


def _parts(document: DocumentRow, t: Translator, reveal: bool) -> list[PartView]:
    if document.status != DocumentState.read:
        return []
    corrected = {(c.part, c.name) for c in document.corrections}
    parts = []
    for index, found in enumerate(file_report(document).documents):
        doc_type = found.doc_type.value
        names = correctable_fields(doc_type)
        order = {name: n for n, name in enumerate(names)}
        fields = [
            FieldView(name, t.field(doc_type, name), _shown(name, value, reveal), (index, name) in corrected,
                      is_sensitive(name) and not reveal)
            for name, value in sorted(found.fields.items(), key=lambda item: order.get(item[0], len(order)))
        ]
        addable = [(name, t.field(doc_type, name)) for name in names if name not in found.fields]
        parts.append(PartView(index, doc_type, list(found.pages), fields, addable))
    return parts


def documents(claim: ClaimRow, t: Translator, reveal: bool = False) -> list[DocumentView]:
    """``reveal``: ID and bank numbers in full; the caller checks the role and audits it."""
    views = []
    for document in claim.documents:
        parts = _parts(document, t, reveal)
        pages = _pages(document, reveal)
        by_number = {p.number: p for p in pages}
        for part in parts:
            for f in part.fields:
                page = by_number.get(f.field.page) if f.field.page else None
                if page is not None and f.field.box:
                    page.fields.append(Overlay(box_style(f.field.box, page.width, page.height),
                                               f"{f.label}: {f.field.value}",
                                               anchor=field_anchor(document.id, part.index, f.name)))
        views.append(DocumentView(document, parts, pages))
    return views


def findings(session: Session, claim: ClaimRow, pages: dict[str, PageView]) -> list[FindingView]:
    """Marks each finding's evidence on ``pages`` (by anchor) as it goes."""
    waivers = {w.finding_key: w for w in session.scalars(
        select(FindingWaiver).where(FindingWaiver.claim_id == claim.id).order_by(FindingWaiver.at)
    )}
    emails = _emails(session, [w.staff_id for w in waivers.values()])
    views = []
    for index, row in enumerate(claim.findings):
        body = row.body
        key = finding_key(body)
        waiver = waivers.get(key)
        anchors = []
        for evidence in body.get("evidence", ()):
            # A file holding several documents names them ``doc_…#n``; pages are the file's.
            anchor = page_anchor(evidence["document"].split("#")[0], evidence.get("page") or 1)
            page = pages.get(anchor)
            if page is None:
                continue
            anchors.append(anchor)
            if waiver is None and body["severity"] in OPEN_SEVERITIES:
                if evidence.get("box"):
                    page.evidence.append(Overlay(box_style(evidence["box"], page.width, page.height),
                                                 body["message_staff"], index))
                else:
                    page.flagged_by.append(index)
        views.append(FindingView(index, body, key, waiver is None and body["severity"] in OPEN_SEVERITIES,
                                 waiver, emails.get(waiver.staff_id) if waiver else None, anchors))
    return views


def _emails(session: Session, staff_ids: list[str | None]) -> dict[str, str]:
    ids = {i for i in staff_ids if i}
    if not ids:
        return {}
    return dict(session.execute(select(StaffMember.id, StaffMember.email).where(StaffMember.id.in_(ids))).all())


def _describe(event: ClaimEvent, t: Translator) -> str:
    d = event.detail
    if event.action == "field.corrected":
        return t("action.field.corrected", field=t.field(d.get("doc_type"), d["field"]), value=d["value"])
    if event.action == "finding.waived":
        return t("action.finding.waived", code=t(f"finding.{d['code']}"), reason=d["reason"])
    if event.action == "claim.assigned":
        return t("action.claim.assigned", assignee=d["assignee"] or t("queue.unassigned"))
    if event.action == "contact.logged":
        return t("action.contact.logged", channel=t(f"channel.{d['channel']}"),
                 outcome=t(f"outcome.{d['outcome']}"), next_step=d["next_step"] or "—")
    if event.action == "claimant.uploaded":
        return t("action.claimant.uploaded", count=d["count"])
    return t(f"action.{event.action}", **d)  # decisions: amount, reason, batch


def history(session: Session, claim: ClaimRow, t: Translator) -> list[HistoryEntry]:
    """Status changes and what people did, newest first."""
    events = list(session.scalars(select(ClaimEvent).where(ClaimEvent.claim_id == claim.id)))
    emails = _emails(session, [e.staff_id for e in events])
    entries = [
        HistoryEntry(e.at, emails.get(e.staff_id, "") if e.staff_id else t("actor.claimant"), _describe(e, t))
        for e in events
    ]
    entries += [
        HistoryEntry(s.at, t("actor.system"), t("action.status", status=t(f"status.{s.status}"), reason=s.reason))
        for s in session.scalars(select(StatusChange).where(StatusChange.claim_id == claim.id))
    ]
    return sorted(entries, key=lambda e: e.at, reverse=True)


