"""Who the claim is for, whether the roster covers the treatment, and the estimate: the findings
``not_enrolled``, ``outside_coverage`` and ``benefit_cap_reached``, and the ``benefit``.

An organisation without a roster is never ``not_enrolled``: the pre-screen works without one,
and its estimate assumes every plan of the rules that pays the claim type.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from claim_intake.benefit.estimate import ZERO, PlanPeriod, estimate, money
from claim_intake.benefit.models import Claimant, Eligibility, Enrolment, Member, Roster
from claim_intake.benefit.rules import BenefitRules, Coverage
from claim_intake.extract.models import DocType
from claim_intake.roster.identity import (
    IdNumberError,
    is_masked,
    mask_id_number,
    masked_matches,
    normalise_id_number,
)
from claim_intake.validators.messages import builtin_messages
from claim_intake.validators.models import ClaimDocument, ClaimType, Finding, FindingCode, Severity

FINDINGS = frozenset({FindingCode.not_enrolled, FindingCode.outside_coverage, FindingCode.benefit_cap_reached})
"""What the roster says about a claim, not its documents: a claim's materials alone never raise
these (the corpus of claim materials cannot cover them; tests/test_benefit.py does)."""
_INVOICES = (DocType.invoice_inpatient, DocType.invoice_outpatient)
_STAY_SOURCES = (DocType.discharge_summary, DocType.invoice_inpatient, DocType.settlement, DocType.expense_list)


def _field(documents: Sequence[ClaimDocument], doc_types: Sequence[DocType], name: str) -> tuple[str, ClaimDocument] | None:
    for doc_type in doc_types:
        for doc in documents:
            field = doc.document.fields.get(name)
            if doc.document.doc_type == doc_type and field is not None and isinstance(field.value, str) and field.value:
                return field.value, doc
    return None


def _date(found: tuple[str, ClaimDocument] | None) -> date | None:
    if found is None:
        return None
    try:
        return date.fromisoformat(found[0])
    except ValueError:
        return None


def treatment_dates(claim_type: ClaimType, documents: Sequence[ClaimDocument]) -> tuple[date, date] | None:
    """The stay (admission, discharge) or the visit (its day twice); None when no date was read."""
    admission = _date(_field(documents, _STAY_SOURCES, "admission_date"))
    discharge = _date(_field(documents, _STAY_SOURCES, "discharge_date"))
    if claim_type is ClaimType.inpatient or (admission and discharge):
        if admission is None:
            return None
        return admission, max(admission, discharge or admission)
    visit = _date(_field(documents, (DocType.invoice_outpatient,), "visit_date")) or _date(
        _field(documents, (DocType.diagnosis_certificate,), "issue_date"))
    return (visit, visit) if visit else None


def claimant_name(claimant: Claimant, documents: Sequence[ClaimDocument]) -> str | None:
    if claimant.name:
        return claimant.name
    found = _field(documents, _INVOICES, "payer_name") or _field(documents, _STAY_SOURCES, "patient_name")
    return found[0] if found else None


def match_member(roster: Roster, claimant: Claimant, documents: Sequence[ClaimDocument]) -> tuple[Member | None, str]:
    """The member and how they were found; (None, what was tried) when nobody matches."""
    if claimant.id_number:
        return roster.by_id_number(claimant.id_number), "id_number"
    name = claimant_name(claimant, documents)
    printed = _field(documents, _INVOICES, "payer_id")
    tried = []
    if printed is not None:
        if not is_masked(printed[0]):
            try:
                member = roster.by_id_number(normalise_id_number(printed[0]))
            except IdNumberError:
                member = None
            if member is not None:
                return member, "id_number"
            tried.append("id_number")
        elif name:
            candidates = [m for m in roster.by_name(name) if masked_matches(printed[0], m.id_number)
                          and (not claimant.unit or m.unit == claimant.unit)]
            if len(candidates) == 1:
                return candidates[0], "masked_id_name"
            tried.append("masked_id_name")
    if name and claimant.unit:
        candidates = [m for m in roster.by_name(name) if m.unit == claimant.unit]
        if len(candidates) == 1:
            return candidates[0], "name_unit"
        tried.append("name_unit")
    return None, ",".join(tried)


def _continues(enrolment: Enrolment, member: Member) -> bool:
    """A renewal: an enrolment of the same plan ended the day before this one started."""
    return any(e.plan == enrolment.plan and e.end == enrolment.start - timedelta(days=1) for e in member.enrolments)


def _in_force(enrolment: Enrolment, member: Member, start: date, end: date, coverage: Coverage) -> bool:
    if not enrolment.start <= start <= enrolment.end:
        return False
    if coverage is Coverage.admission_date or end <= enrolment.end:
        return True
    # A whole stay across a renewal of the same plan is covered too.
    return any(e.plan == enrolment.plan and e.start == enrolment.end + timedelta(days=1) and end <= e.end
               for e in member.enrolments)


def _finding(code: FindingCode, severity: Severity, key: str, documents: tuple[str, ...] = (),
             **values: object) -> Finding:
    staff, claimant = builtin_messages().finding(key, **values)
    return Finding(code=code, severity=severity, documents=documents, message_staff=staff, message_claimant=claimant)


def evaluate(roster: Roster, rules: BenefitRules, claim_type: ClaimType, claimant: Claimant,
             documents: Sequence[ClaimDocument]) -> Eligibility:
    """Match, coverage and estimate of one claim."""
    applicable = [p for p in rules.plans if claim_type in p.claim_types]
    if not roster.has_members():
        return Eligibility(member_id=None, benefit=estimate(rules, [PlanPeriod(p) for p in applicable], documents).benefit)
    member, how = match_member(roster, claimant, documents)
    if member is None:
        who = "，".join(part for part in (
            claimant_name(claimant, documents), mask_id_number(claimant.id_number), claimant.unit) if part) or "未知"
        printed = _field(documents, _INVOICES, "payer_id")
        return Eligibility(member_id=None, findings=(_finding(
            FindingCode.not_enrolled, Severity.blocking, "not_enrolled", who=who,
            tried="、".join(_TRIED[t] for t in how.split(",")) if how else "无可用于匹配的信息（身份证号，或姓名和工作单位）",
            printed_id=(printed[0] if is_masked(printed[0]) else mask_id_number(printed[0])) if printed else "无"),))
    dates = treatment_dates(claim_type, documents)
    if dates is None:
        # No date was read: missing_field asks for it; coverage is checked once it is there.
        return Eligibility(member_id=member.member_id, matched_by=how)
    start, end = dates
    in_force = [e for e in member.enrolments if _in_force(e, member, start, end, rules.coverage)]
    covering = []
    waiting = []
    for enrolment in in_force:
        plan = rules.plan(enrolment.plan)
        days = plan.waiting_days if plan else 0
        if days and not _continues(enrolment, member) and start < enrolment.start + timedelta(days=days):
            waiting.append((enrolment, days))
        else:
            covering.append(enrolment)
    who = f"{member.name}（{mask_id_number(member.id_number)}）"
    if not covering:
        stay = f"{start}" if start == end else f"{start}至{end}"
        if waiting:
            enrolment, days = waiting[0]
            finding = _finding(FindingCode.outside_coverage, Severity.blocking, "outside_coverage.waiting", who=who,
                               stay=stay, plan=enrolment.plan, enrolment_start=enrolment.start, days=days,
                               waiting_end=enrolment.start + timedelta(days=days - 1))
        else:
            periods = "、".join(f"{e.plan} {e.start}至{e.end}" for e in member.enrolments) or "无"
            finding = _finding(FindingCode.outside_coverage, Severity.blocking, "outside_coverage", who=who,
                               stay=stay, periods=periods)
        return Eligibility(member_id=member.member_id, matched_by=how, findings=(finding,))
    plans = []
    for plan in applicable:
        enrolment = next((e for e in covering if e.plan == plan.plan), None)
        if enrolment is not None:
            paid = roster.paid_in_period(member.member_id, plan.plan, enrolment.start, enrolment.end)
            plans.append(PlanPeriod(plan, enrolment.start, enrolment.end, paid))
    result = estimate(rules, plans, documents)
    findings = tuple(
        _finding(FindingCode.benefit_cap_reached, Severity.info, "benefit_cap_reached", plan=p.plan.plan,
                 period=f"{p.start}至{p.end}", cap=money(p.plan.cap_per_period or computed),
                 paid=money(p.paid_before or ZERO), left=money(left), computed=money(computed))
        for p, computed, left in result.capped
    )
    return Eligibility(member_id=member.member_id, matched_by=how, findings=findings, benefit=result.benefit)


_TRIED = {
    "id_number": "按身份证号",
    "masked_id_name": "按票据上的脱敏身份证号和姓名",
    "name_unit": "按姓名和工作单位",
}
