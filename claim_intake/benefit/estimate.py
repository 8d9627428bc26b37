"""The estimate: what the rules pay on a claim, as steps staff can check one by one.

Decimal throughout; each plan's amount is rounded as its rule says before the caps apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from claim_intake.benefit.models import Benefit, PlanAmount, Step
from claim_intake.benefit.rules import BenefitRules, Plan, Term
from claim_intake.validators.models import ClaimDocument
from claim_intake.validators.ruleset import FieldRef

ZERO = Decimal("0.00")


def money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


@dataclass(frozen=True)
class PlanPeriod:
    """A plan to estimate, with the enrolment period its cap counts in and what the member's
    earlier claims of that period got from it (None: nobody knows: no roster)."""

    plan: Plan
    start: date | None = None
    end: date | None = None
    paid_before: Decimal | None = None


@dataclass(frozen=True)
class Estimate:
    benefit: Benefit | None
    capped: tuple[tuple[PlanPeriod, Decimal, Decimal], ...] = ()
    """Plans whose period cap bit: the plan, what the rule computed and what was left."""


class _Missing(Exception):
    """An amount the rule needs was not read: no estimate (the validators ask for it)."""


def _read(documents: Sequence[ClaimDocument], ref: FieldRef) -> tuple[object, ClaimDocument] | None:
    for doc in documents:
        if doc.document.doc_type == ref.doc_type and ref.field in doc.document.fields:
            return doc.document.fields[ref.field].value, doc
    return None


def _term(documents: Sequence[ClaimDocument], term: Term, steps: list[Step]) -> Decimal:
    for ref in term.any_of:
        found = _read(documents, ref)
        if found is None:
            continue
        value, doc = found
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            continue
        steps.append(Step(name=term.label, value=money(amount), source=f"{ref.doc_type}.{ref.field}",
                          document=doc.id, field=ref.field))
        return amount
    if term.optional:
        steps.append(Step(name=term.label, value=money(ZERO), source="未提供，按0计"))
        return ZERO
    raise _Missing


def _plan_amount(plan: Plan, documents: Sequence[ClaimDocument], earlier: Decimal,
                 steps: list[Step]) -> Decimal:
    """What the rule computes for the claim, before the period cap; steps appended as they go."""
    basis = ZERO
    if plan.basis is not None:
        added = [_term(documents, t, steps) for t in plan.basis.add]
        subtracted = [_term(documents, t, steps) for t in plan.basis.subtract]
        if plan.basis.less_earlier_plans:
            steps.append(Step(name="此前方案已付", value=money(earlier), source="本次申报中排在前面的方案"))
            subtracted.append(earlier)
        basis = max(ZERO, sum(added, ZERO) - sum(subtracted, ZERO))
        parts = " + ".join(t.label for t in plan.basis.add)
        minus = [t.label for t in plan.basis.subtract] + (["此前方案已付"] if plan.basis.less_earlier_plans else [])
        formula = parts + "".join(f" − {m}" for m in minus)
        steps.append(Step(name=f"基数（{plan.basis.name}）", value=money(basis), source=formula))
    if plan.bands:
        over = max(ZERO, basis - plan.deductible)
        if plan.deductible:
            steps.append(Step(name="起付线", value=money(plan.deductible), source="规则"))
            steps.append(Step(name="超过起付线部分", value=money(over), source="基数 − 起付线"))
        total = ZERO
        for n, band in enumerate(plan.bands):
            top = plan.bands[n + 1].above if n + 1 < len(plan.bands) else None
            portion = max(ZERO, (over if top is None else min(over, top)) - band.above)
            if portion == 0:
                continue
            part = portion * band.ratio
            total += part
            upper = f"{top.normalize():f}" if top is not None else "以上"
            steps.append(Step(name=f"分段 {band.above.normalize():f}–{upper}：{money(portion)} × {band.ratio:%}",
                              value=money(part), source="超过起付线部分" if plan.deductible else f"基数（{plan.basis.name}）"))  # type: ignore[union-attr]
        amount = plan.rounding.apply(total)
        steps.append(Step(name="按比例计算", value=money(amount), source=f"各分段之和，{_ROUNDING[plan.rounding.value]}"))
    elif plan.tiers:
        reached = [t for t in plan.tiers if basis >= t.from_]
        amount = reached[-1].amount if reached else ZERO
        label = f"档次：基数 ≥ {money(reached[-1].from_)}" if reached else f"未达最低档（{money(plan.tiers[0].from_)}）"
        steps.append(Step(name=label, value=money(amount), source=f"基数（{plan.basis.name}）"))  # type: ignore[union-attr]
    else:
        amount, disease_step = _disease_amount(plan, documents)
        steps.append(disease_step)
    if plan.cap_per_claim is not None and amount > plan.cap_per_claim:
        amount = plan.cap_per_claim
        steps.append(Step(name="单次封顶", value=money(amount), source="规则"))
    return amount


_ROUNDING = {"fen_half_up": "四舍五入到分", "fen_down": "舍去分以下", "yuan_half_up": "四舍五入到元",
             "yuan_down": "舍去元以下"}


def _disease_amount(plan: Plan, documents: Sequence[ClaimDocument]) -> tuple[Decimal, Step]:
    diagnoses = []
    for ref in plan.diagnosis_fields:
        found = _read(documents, ref)
        if found is not None and isinstance(found[0], str):
            diagnoses.append((found[0], ref, found[1]))
    if not diagnoses:
        raise _Missing
    for disease_class in plan.disease_classes:
        for text, ref, doc in diagnoses:
            keyword = next((k for k in disease_class.keywords if k in text), None)
            if keyword is not None:
                return disease_class.amount, Step(
                    name=f"病种：{disease_class.name}（诊断含“{keyword}”）", value=money(disease_class.amount),
                    source=f"{ref.doc_type}.{ref.field}", document=doc.id, field=ref.field)
    text, ref, doc = diagnoses[0]
    return ZERO, Step(name="病种：不在保障病种内", value=money(ZERO), source=f"{ref.doc_type}.{ref.field}",
                      document=doc.id, field=ref.field)


def estimate(rules: BenefitRules, plans: Sequence[PlanPeriod], documents: Sequence[ClaimDocument]) -> Estimate:
    """The benefit of a claim under ``plans`` (in the rules' stacking order)."""
    if not plans:
        return Estimate(None)
    steps: list[Step] = []
    parts: list[PlanAmount] = []
    capped = []
    total = ZERO
    for plan_period in plans:
        plan = plan_period.plan
        plan_steps: list[Step] = []
        try:
            amount = _plan_amount(plan, documents, total, plan_steps)
        except _Missing:
            return Estimate(None)
        if plan.cap_per_period is not None:
            paid = plan_period.paid_before
            period = (f"{plan_period.start}至{plan_period.end}" if plan_period.start else "本期")
            plan_steps.append(Step(name=f"本期封顶（{period}）", value=money(plan.cap_per_period), source="规则"))
            plan_steps.append(Step(name="本期此前已获", value=money(paid or ZERO),
                                   source="名单成员本期此前的申报" if paid is not None else "无参保名单：按0计"))
            left = max(ZERO, plan.cap_per_period - (paid or ZERO))
            plan_steps.append(Step(name="本期剩余额度", value=money(left), source="本期封顶 − 本期此前已获"))
            if amount > left:
                capped.append((plan_period, amount, left))
                amount = left
        plan_steps.append(Step(name=f"{plan.plan} 核定金额", value=money(amount), source="以上各步"))
        if len(plans) > 1:
            plan_steps = [s.model_copy(update={"name": f"{plan.plan}：{s.name}"}) for s in plan_steps]
        steps.extend(plan_steps)
        parts.append(PlanAmount(plan=plan.plan, amount=money(amount), period_start=plan_period.start,
                                period_end=plan_period.end))
        total += amount
    if len(plans) > 1:
        steps.append(Step(name="合计", value=money(total), source=" + ".join(f"{p.plan} 核定金额" for p in parts)))
    benefit = Benefit(amount=money(total), plan=" + ".join(p.plan.plan for p in plans), rule_set_version=rules.version,
                      steps=tuple(steps), example=rules.example, parts=tuple(parts))
    return Estimate(benefit, capped=tuple(capped))
