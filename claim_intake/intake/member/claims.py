"""The member's use cases: open a claim from the phone, add materials, submit it, follow it; and
the notices a claim's changes send them. The claim's states are the lifecycle's; this module only
keeps what the member filled in and who may see it."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from claim_intake.errors import NotFoundError
from claim_intake.intake import lifecycle
from claim_intake.intake.auth import Caller
from claim_intake.intake.member.identity import Identity
from claim_intake.intake.member.notify import (
    Notifier,
    approved_text,
    needs_follow_up_text,
    paid_text,
)
from claim_intake.intake.member.tables import MemberClaim
from claim_intake.intake.payout import from_fen
from claim_intake.intake.store.db import ClaimRow, StatusChange, utcnow
from claim_intake.validators.models import ClaimType
from claim_intake.workers.jobs import StatusChanged

log = logging.getLogger(__name__)

MEMBER_CALLER = "member-page"
"""The audit log's name for what a member does on their phone."""
NO_CLAIM = "no claim"
"""The one answer to every miss: another member's claim, a claim that does not exist, a wrong code."""

STAGES = (("processing", "收到"), ("needs_follow_up", "待补充"), ("complete", "材料齐全"),
          ("approved", "已审核"), ("paid", "已发放"))
_OTHER_STAGES = {"rejected": "未通过"}


def stage_label(status: str) -> str:
    """The member's word for a claim status, by name: states another part of the service adds
    (``approved``, ``paid``, ``rejected``) are named here whether or not they exist yet."""
    return dict(STAGES).get(status) or _OTHER_STAGES.get(status, "处理中")


def benefit_amount(claim: ClaimRow) -> str | None:
    """What the member is told they get: the amount staff approved (nothing before a decision,
    since an estimate is no promise)."""
    amount = from_fen(claim.approved_fen)
    return str(amount) if amount is not None else None


@dataclass
class Step:
    label: str
    at: date | None
    current: bool


def timeline(session: Session, claim: ClaimRow, zone: ZoneInfo) -> list[Step]:
    """收到 / 待补充 / 材料齐全 / 已审核 / 已发放, each with the date it was last reached."""
    reached: dict[str, date] = {}
    for change in session.scalars(select(StatusChange).where(StatusChange.claim_id == claim.id).order_by(StatusChange.id)):
        reached[change.status] = change.at.astimezone(zone).date()
    steps = [Step(label, reached.get(status), status == claim.status) for status, label in STAGES]
    if claim.status in _OTHER_STAGES:
        steps.append(Step(_OTHER_STAGES[claim.status], reached.get(claim.status), True))
    return steps


class ClaimForm(BaseModel):
    """信息填报: checked in the browser as the member types, and here again."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    claim_type: ClaimType
    hospital: str
    start_date: date
    end_date: date | None = None
    description: str = ""
    bank_account: str | None = None
    """None: the account on the member's enrolment."""
    consent: bool

    @field_validator("hospital")
    @classmethod
    def _hospital(cls, value: str) -> str:
        if not 2 <= len(value) <= 100:
            raise ValueError("请填写就诊医院的全称")
        return value

    @field_validator("description")
    @classmethod
    def _description(cls, value: str) -> str:
        if len(value) > 500:
            raise ValueError("情况说明请控制在500字以内")
        return value

    @field_validator("bank_account")
    @classmethod
    def _bank(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        digits = value.replace(" ", "")
        if not (digits.isdigit() and 12 <= len(digits) <= 30):
            raise ValueError("银行卡号应为12到30位数字")
        return digits

    @field_validator("consent")
    @classmethod
    def _consent(cls, value: bool) -> bool:
        if not value:
            raise ValueError("请阅读并同意材料的使用说明")
        return value

    @model_validator(mode="after")
    def _dates(self) -> ClaimForm:
        today = date.today()
        if self.start_date > today or (self.end_date and self.end_date > today):
            raise ValueError("end_date|日期不能晚于今天")
        if self.claim_type is ClaimType.inpatient and self.end_date is None:
            raise ValueError("end_date|请填写出院日期")
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date|出院日期不能早于入院日期")
        return self


def form_problems(exc: ValidationError) -> dict[str, str]:
    """A form's errors by field, in the member's words (``field|message`` for the cross-field ones)."""
    problems: dict[str, str] = {}
    for error in exc.errors():
        message = str(error.get("ctx", {}).get("error", "")) or "请检查这一项"
        where = str(error["loc"][0]) if error["loc"] else ""
        if "|" in message:
            where, message = message.split("|", 1)
        if error["type"] in ("date_from_datetime_parsing", "date_parsing", "date_type", "missing", "enum"):
            message = {"claim_type": "请选择申报类型", "consent": "请阅读并同意材料的使用说明"}.get(where, "请填写这一项")
        problems.setdefault(where or "form", message)
    return problems


def id_key(id_number: str) -> str:
    """What a member's session keeps instead of their ID number."""
    return hashlib.sha256(id_number.encode()).hexdigest()


def open_claim(session: Session, organisation_id: str, who: Identity, form: ClaimForm, zone: ZoneInfo) -> ClaimRow:
    """A new claim with no materials yet (committed); the caller has it assessed (all missing)."""
    claim, _ = lifecycle.submit(session, Caller(organisation_id, MEMBER_CALLER), claim_type=form.claim_type.value,
                                claimant_name=who.name, external_id=None, idempotency_key=None, uploads=[], keys=[],
                                zone=zone)
    session.add(MemberClaim(
        claim_id=claim.id, organisation_id=organisation_id, name=who.name, id_number=who.id_number, phone=who.phone,
        unit=who.unit, hospital=form.hospital, start_date=form.start_date, end_date=form.end_date,
        description=form.description, bank_account=form.bank_account, consent_at=utcnow(),
    ))
    session.commit()
    return claim


def own_claim(session: Session, organisation_id: str, claim_id: str, *, id_hash: str | None = None,
              phone: str | None = None, granted: bool = False) -> tuple[ClaimRow, MemberClaim]:
    """The member's claim: theirs by ID number and phone, or ``granted`` by its status link and
    code. Every miss is the same NotFoundError."""
    member = session.get(MemberClaim, claim_id)
    if member is None or member.organisation_id != organisation_id:
        raise NotFoundError(NO_CLAIM)
    if not granted and not (id_hash is not None and id_key(member.id_number) == id_hash and member.phone == phone):
        raise NotFoundError(NO_CLAIM)
    claim = session.get(ClaimRow, claim_id)
    if claim is None:
        raise NotFoundError(NO_CLAIM)
    return claim, member


def own_claims(session: Session, organisation_id: str, id_hash: str, phone: str) -> list[tuple[ClaimRow, MemberClaim]]:
    rows = session.execute(select(ClaimRow, MemberClaim).join(MemberClaim, MemberClaim.claim_id == ClaimRow.id)
                           .where(MemberClaim.organisation_id == organisation_id, MemberClaim.phone == phone)
                           .order_by(ClaimRow.created_at.desc())).all()
    return [(c, m) for c, m in rows if id_key(m.id_number) == id_hash]


def submit(session: Session, claim: ClaimRow, member: MemberClaim) -> None:
    """The member sends the claim, complete or not: staff see what is missing as the member did."""
    if member.submitted_at is None:
        member.submitted_at = utcnow()
        lifecycle.member_submitted(session, claim)


@dataclass
class MemberNotices:
    """Tells members when their submitted claim needs something from them, is approved or is
    paid. A listener of the process where the change is committed: the API's (staff decisions, and
    every change in the embedded mode) and the Celery workers' (``intake.distributed``: the
    assessments they make), each through the same outbox."""

    sessions: sessionmaker[Session]
    notifier: Notifier
    status_link: Callable[[str], str]
    """claim id -> the member's status link (``links.StatusUrl``)."""

    def status_changed(self, change: StatusChanged) -> None:
        """A committed status change (the service's listener): a submitted claim that needs
        something, is approved or is paid tells its member."""
        if change.status not in (lifecycle.ClaimState.needs_follow_up, lifecycle.ClaimState.approved,
                                 lifecycle.ClaimState.paid):
            return
        try:
            with self.sessions() as session:
                claim, member = session.get(ClaimRow, change.claim_id), session.get(MemberClaim, change.claim_id)
                if claim is None or member is None or member.submitted_at is None:
                    return
                if change.status == lifecycle.ClaimState.needs_follow_up:
                    self.needs_follow_up(session, claim, member)
                else:
                    self.decided(session, claim)
                session.commit()
        except Exception:  # a notice never stops the claim's own processing
            log.exception("member notice for claim %s failed", change.claim_id)

    def needs_follow_up(self, session: Session, claim: ClaimRow, member: MemberClaim) -> None:
        asks = lifecycle.open_claimant_messages(session, claim)
        if asks:
            self.notifier.send(session, claim.organisation_id, member.phone, "needs_follow_up",
                               needs_follow_up_text(asks, self.status_link(claim.id)), claim.id)

    def decided(self, session: Session, claim: ClaimRow) -> None:
        """For ``approved`` and ``paid``: called on their status change, or directly by whoever
        records an approval or a payout without one."""
        member = session.get(MemberClaim, claim.id)
        if member is None:
            return
        text = {"approved": approved_text, "paid": paid_text}.get(claim.status)
        if text is not None:
            self.notifier.send(session, claim.organisation_id, member.phone, claim.status,
                               text(benefit_amount(claim), self.status_link(claim.id)), claim.id)
