"""Benefit rules and the estimate, on hand-worked cases (the arithmetic is in each test)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from claim_intake.benefit.eligibility import evaluate
from claim_intake.benefit.models import Claimant, Enrolment, Member
from claim_intake.benefit.rules import BUILTIN, Coverage, builtin_path, load_benefit_rules
from claim_intake.errors import BenefitRulesError
from claim_intake.extract.models import DocType, Document, Field
from claim_intake.roster.memory import MemoryRoster
from claim_intake.validators.models import ClaimDocument, ClaimType

ID = "11010519491231002X"
FUZHOU = load_benefit_rules(builtin_path("fuzhou"))
SANMING = load_benefit_rules(builtin_path("sanming"))
NANPING = load_benefit_rules(builtin_path("nanping"))
DEMO = load_benefit_rules(builtin_path("demo"))


def doc(doc_id: str, doc_type: DocType, **fields: str) -> ClaimDocument:
    return ClaimDocument(id=doc_id, file=f"{doc_id}.jpg", document=Document(
        doc_type=doc_type, confidence=0.99, pages=(1,),
        fields={k: Field(value=v, raw=v, confidence=0.99, page=1) for k, v in fields.items()}))


def stay(admission: str = "2026-05-03", discharge: str = "2026-05-10", **settlement: str) -> list[ClaimDocument]:
    return [doc("d1", DocType.discharge_summary, patient_name="张三", admission_date=admission,
                discharge_date=discharge, discharge_diagnosis=settlement.pop("diagnosis", "1.腰椎间盘突出症")),
            doc("d2", DocType.settlement, patient_name="张三", **settlement)]


def member(*plans: tuple[str, str, str], unit: str = "市一中工会") -> Member:
    return Member(member_id="m1", name="张三", id_number=ID, unit=unit,
                  enrolments=tuple(Enrolment(plan=p, start=date.fromisoformat(s), end=date.fromisoformat(e))
                                   for p, s, e in plans))


YEAR_2026 = ("2026-01-01", "2026-12-31")
CLAIMANT = Claimant(id_number=ID)


def steps(benefit) -> dict[str, str]:
    return {s.name: s.value for s in benefit.steps}


def test_every_shipped_file_loads_and_the_demo_is_marked_an_example():
    for name in BUILTIN:
        assert load_benefit_rules(builtin_path(name)).example is True
    assert "演示" in DEMO.programme


def test_fuzhou_pays_13_percent_of_the_total_rounded_to_the_fen():
    roster = MemoryRoster([member(("住院医疗互助", *YEAR_2026))])
    result = evaluate(roster, FUZHOU, ClaimType.inpatient, CLAIMANT, stay(total_amount="23456.78"))
    # 23,456.78 x 13% = 3,049.3814 -> 3,049.38
    assert result.benefit.amount == "3049.38"
    assert result.benefit.plan == "住院医疗互助"
    assert result.benefit.rule_set_version == "fuzhou-example-1"
    total = next(s for s in result.benefit.steps if s.name == "医保费用总额")
    assert (total.value, total.source, total.document, total.field) == ("23456.78", "settlement.total_amount", "d2", "total_amount")
    assert not result.findings


def test_fuzhou_period_cap_bites_across_two_claims_of_one_member():
    roster = MemoryRoster([member(("住院医疗互助", *YEAR_2026))])
    first = evaluate(roster, FUZHOU, ClaimType.inpatient, CLAIMANT, stay(total_amount="300000.00"))
    # 300,000.00 x 13% = 39,000.00, under the 50,000 cap
    assert first.benefit.amount == "39000.00"
    roster.record("m1", first.benefit)
    second = evaluate(roster, FUZHOU, ClaimType.inpatient, CLAIMANT,
                      stay("2026-09-01", "2026-09-09", total_amount="100000.00"))
    # 100,000.00 x 13% = 13,000.00; left of the cap: 50,000 - 39,000 = 11,000.00
    values = steps(second.benefit)
    assert values["按比例计算"] == "13000.00"
    assert values["本期此前已获"] == "39000.00"
    assert values["本期剩余额度"] == "11000.00"
    assert second.benefit.amount == "11000.00"
    assert [(f.code.value, f.severity.value) for f in second.findings] == [("benefit_cap_reached", "info")]
    roster.record("m1", second.benefit)
    third = evaluate(roster, FUZHOU, ClaimType.inpatient, CLAIMANT, stay("2026-11-01", "2026-11-02", total_amount="1000.00"))
    # the cap is used up: 50,000 - (39,000 + 11,000) = 0
    assert third.benefit.amount == "0.00"
    # A claim in the next enrolment period starts afresh.
    roster2 = MemoryRoster([member(("住院医疗互助", *YEAR_2026), ("住院医疗互助", "2027-01-01", "2027-12-31"))])
    roster2.record("m1", first.benefit)
    roster2.record("m1", second.benefit)
    fresh = evaluate(roster2, FUZHOU, ClaimType.inpatient, CLAIMANT, stay("2027-02-01", "2027-02-03", total_amount="1000.00"))
    assert fresh.benefit.amount == "130.00"


@pytest.mark.parametrize(("self_pay", "self_expense", "other_paid", "amount"), [
    ("6000.00", "4000.00", "0.00", "1500.00"),       # 6,000 + 4,000 - 0 = 10,000: the first tier, 1,500
    ("6000.00", "3999.99", "0.00", "0.00"),          # 9,999.99: below the first tier
    ("18000.00", "7500.00", "2000.00", "3000.00"),   # 18,000 + 7,500 - 2,000 = 23,500: tier 20,000 -> 3,000
    ("150000.00", "60000.00", "5000.00", "50000.00"),  # 205,000: the seventh tier, 50,000
])
def test_sanming_fixed_tiers_of_net_self_pay(self_pay, self_expense, other_paid, amount):
    roster = MemoryRoster([member(("大病补助", *YEAR_2026))])
    documents = [*stay(self_pay=self_pay, self_expense=self_expense),
                 doc("d3", DocType.invoice_inpatient, other_paid=other_paid)]
    result = evaluate(roster, SANMING, ClaimType.inpatient, CLAIMANT, documents)
    assert result.benefit.amount == amount
    assert len(SANMING.plans[0].tiers) == 7


@pytest.mark.parametrize(("diagnosis", "amount", "klass"), [
    ("1.左乳腺癌（T2N2M0）ⅢA期", "6000.00", "一类"),
    ("宫颈原位癌", "3000.00", "二类"),
    ("部分性葡萄胎", "2000.00", "三类"),
    ("1.子宫肌瘤 2.贫血", "1000.00", "四类"),
    ("急性阑尾炎", "0.00", None),
])
def test_nanping_fixed_amount_by_disease_class(diagnosis, amount, klass):
    roster = MemoryRoster([member(("女职工特病", *YEAR_2026))])
    result = evaluate(roster, NANPING, ClaimType.inpatient, CLAIMANT, stay(diagnosis=diagnosis))
    assert result.benefit.amount == amount
    first = result.benefit.steps[0]
    assert first.source == "discharge_summary.discharge_diagnosis" and first.document == "d1"
    if klass:
        assert klass in first.name


def test_demo_bands_over_the_deductible():
    roster = MemoryRoster([member(("住院医疗互助", "2025-01-01", "2025-12-31"), ("住院医疗互助", *YEAR_2026))])
    small = evaluate(roster, DEMO, ClaimType.inpatient, CLAIMANT, stay(self_pay="1398.70", self_expense="396.89"))
    # 1,398.70 + 396.89 = 1,795.59; - 500 = 1,295.59; x 50% = 647.795 -> 647.80 (half up)
    assert steps(small.benefit)["基数（个人自付+个人自费）"] == "1795.59"
    assert steps(small.benefit)["超过起付线部分"] == "1295.59"
    assert small.benefit.amount == "647.80"
    large = evaluate(roster, DEMO, ClaimType.inpatient, CLAIMANT, stay(self_pay="15000.00", self_expense="5500.00"))
    # 20,500 - 500 = 20,000: 10,000 x 50% = 5,000 + 10,000 x 60% = 6,000 -> 11,000
    assert large.benefit.amount == "11000.00"


def test_two_plans_stack_the_second_on_what_the_first_left():
    roster = MemoryRoster([member(("住院医疗互助", "2025-01-01", "2025-12-31"), ("住院医疗互助", *YEAR_2026),
                                  ("大病补助", *YEAR_2026))])
    result = evaluate(roster, DEMO, ClaimType.inpatient, CLAIMANT, stay(self_pay="30000.00", self_expense="10500.00"))
    # 住院医疗互助: 40,500 - 500 = 40,000: 10,000 x 50% = 5,000 + 30,000 x 60% = 18,000 -> 23,000
    # 大病补助: 净自付 = 40,500 - 0 (其他支付) - 23,000 = 17,500 -> tier 10,000: 1,500
    # (alone it would see 40,500 -> tier 30,000: 5,000)
    values = steps(result.benefit)
    assert values["住院医疗互助：住院医疗互助 核定金额"] == "23000.00"
    assert values["大病补助：此前方案已付"] == "23000.00"
    assert values["大病补助：基数（净自付）"] == "17500.00"
    assert values["大病补助：大病补助 核定金额"] == "1500.00"
    assert result.benefit.amount == "24500.00"
    assert result.benefit.plan == "住院医疗互助 + 大病补助"
    assert [p.amount for p in result.benefit.parts] == ["23000.00", "1500.00"]


def test_a_stay_straddling_the_end_of_an_enrolment():
    roster = MemoryRoster([member(("住院医疗互助", *YEAR_2026))])
    documents = stay("2026-12-28", "2027-01-05", total_amount="10000.00")
    # Covered by the enrolment in force on admission (the default): 10,000 x 13% = 1,300
    covered = evaluate(roster, FUZHOU, ClaimType.inpatient, CLAIMANT, documents)
    assert covered.benefit.amount == "1300.00" and not covered.findings
    assert covered.benefit.parts[0].period_end == date(2026, 12, 31)
    # A programme that wants the whole stay inside an enrolment: outside coverage, no estimate.
    strict = FUZHOU.model_copy(update={"coverage": Coverage.whole_stay})
    outside = evaluate(roster, strict, ClaimType.inpatient, CLAIMANT, documents)
    assert [(f.code.value, f.severity.value) for f in outside.findings] == [("outside_coverage", "blocking")]
    assert "2026-12-28至2027-01-05" in outside.findings[0].message_staff
    assert outside.benefit is None
    # ... unless the member renewed: the stay is inside the two enrolments of the plan.
    renewed = MemoryRoster([member(("住院医疗互助", *YEAR_2026), ("住院医疗互助", "2027-01-01", "2027-12-31"))])
    assert evaluate(renewed, strict, ClaimType.inpatient, CLAIMANT, documents).benefit.amount == "1300.00"
    # A stay that starts after the enrolment ended.
    late = evaluate(roster, FUZHOU, ClaimType.inpatient, CLAIMANT, stay("2027-01-02", "2027-01-05", total_amount="1.00"))
    assert [f.code.value for f in late.findings] == ["outside_coverage"]


def test_waiting_period_of_a_first_enrolment_but_not_of_a_renewal():
    first = MemoryRoster([member(("住院医疗互助", "2026-03-01", "2027-02-28"))])
    # 90 days from 2026-03-01: covered from 2026-05-30; a stay from 2026-05-03 is inside the wait.
    waiting = evaluate(first, DEMO, ClaimType.inpatient, CLAIMANT, stay(self_pay="1000.00", self_expense="0.00"))
    assert [(f.code.value, f.severity.value) for f in waiting.findings] == [("outside_coverage", "blocking")]
    assert "等待期" in waiting.findings[0].message_staff and "2026-05-29" in waiting.findings[0].message_claimant
    renewal = MemoryRoster([member(("住院医疗互助", "2025-03-01", "2026-02-28"), ("住院医疗互助", "2026-03-01", "2027-02-28"))])
    # 1,000 - 500 = 500 x 50% = 250
    assert evaluate(renewal, DEMO, ClaimType.inpatient, CLAIMANT, stay(self_pay="1000.00", self_expense="0.00")).benefit.amount == "250.00"


def test_not_enrolled_only_where_the_organisation_keeps_a_roster():
    documents = [*stay(total_amount="1000.00"),
                 doc("d3", DocType.invoice_inpatient, payer_name="李四", payer_id="110***********0021")]
    result = evaluate(MemoryRoster([member(("住院医疗互助", *YEAR_2026))]), FUZHOU, ClaimType.inpatient,
                      Claimant(name="李四", unit="市一中工会"), documents)
    assert [(f.code.value, f.severity.value) for f in result.findings] == [("not_enrolled", "blocking")]
    assert result.benefit is None and result.member_id is None
    # An ID number printed whole on a bill is shown masked all the same.
    whole = evaluate(MemoryRoster([member(("住院医疗互助", *YEAR_2026))]), FUZHOU, ClaimType.inpatient, Claimant(),
                     [*stay(total_amount="1.00"), doc("d3", DocType.invoice_inpatient, payer_name="李四",
                                                     payer_id="310104198001011239")])
    assert "310***********1239" in whole.findings[0].message_staff
    assert "310104198001011239" not in whole.findings[0].message_staff
    no_roster = evaluate(MemoryRoster([]), FUZHOU, ClaimType.inpatient, Claimant(name="李四"), documents)
    assert no_roster.findings == () and no_roster.benefit.amount == "130.00"


def test_matching_by_masked_id_and_name_then_by_name_and_unit():
    twins = [member(("住院医疗互助", *YEAR_2026)),
             Member(member_id="m2", name="张三", id_number="310104198001011239", unit="港务局工会",
                    enrolments=(Enrolment(plan="住院医疗互助", start=date(2026, 1, 1), end=date(2026, 12, 31)),))]
    roster = MemoryRoster(twins)
    invoice = doc("d3", DocType.invoice_inpatient, payer_name="张三", payer_id="310***********1239", total_amount="100.00")
    by_mask = evaluate(roster, FUZHOU, ClaimType.inpatient, Claimant(), [*stay(), invoice])
    assert (by_mask.member_id, by_mask.matched_by) == ("m2", "masked_id_name")
    by_unit = evaluate(roster, FUZHOU, ClaimType.inpatient, Claimant(name="张三", unit="市一中工会"),
                       stay(total_amount="100.00"))
    assert (by_unit.member_id, by_unit.matched_by) == ("m1", "name_unit")
    # Two 张三 and nothing else to tell them apart: nobody is guessed.
    ambiguous = evaluate(roster, FUZHOU, ClaimType.inpatient, Claimant(name="张三"), stay(total_amount="100.00"))
    assert [f.code.value for f in ambiguous.findings] == ["not_enrolled"]


def test_no_estimate_while_an_amount_is_unread():
    roster = MemoryRoster([member(("住院医疗互助", *YEAR_2026))])
    assert evaluate(roster, FUZHOU, ClaimType.inpatient, CLAIMANT, stay()).benefit is None


@pytest.mark.parametrize(("text", "problem"), [
    ("programme: x\nversion: '1'\nplans:\n  - plan: a\n    claim_types: [inpatient]\n    basis: {name: b, add: [{label: l, any_of: [settlement.nonsense]}]}\n    bands: [{above: '0', ratio: '0.1'}]\n",
     "settlement.nonsense is no field"),
    ("programme: x\nversion: '1'\nplans:\n  - plan: a\n    claim_types: [inpatient]\n    basis: {name: b, add: [{label: l, any_of: [settlement.self_pay]}]}\n    tiers: [{from: '2000', amount: '1'}, {from: '1000', amount: '2'}]\n",
     "increasing order"),
    ("programme: x\nversion: '1'\nplans:\n  - plan: a\n    claim_types: [inpatient]\n    bands: [{above: '0', ratio: '1.5'}]\n",
     "ratio"),
    ("programme: x\nversion: '1'\nplans: [\n", "cannot be read"),
    ("programme: x\nversion: '1'\nplans:\n  - plan: a\n    claim_types: [inpatient]\n    deductible: '100'\n    disease_classes: [{name: a, amount: '1', keywords: [癌]}]\n",
     "a deductible applies to bands"),
])
def test_a_broken_rule_file_is_refused_naming_the_file_and_the_problem(tmp_path: Path, text, problem):
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BenefitRulesError) as caught:
        load_benefit_rules(path)
    assert caught.value.code == "invalid_benefit_rules"
    assert str(path) in caught.value.message and problem in caught.value.message



def test_the_service_does_not_start_with_a_broken_rule_file(tmp_path: Path):
    from claim_intake.intake.service import build_service
    from claim_intake.intake.settings import Settings

    broken = tmp_path / "rules.yaml"
    broken.write_text("programme: x\nversion: '1'\nplans: []\n", encoding="utf-8")
    with pytest.raises(BenefitRulesError) as caught:
        build_service(Settings(data_dir=tmp_path / "var", benefit_rules=broken))
    assert str(broken) in caught.value.message and "plans" in caught.value.message


def test_an_outpatient_visit_is_covered_on_its_date():
    roster = MemoryRoster([member(("门诊特殊病互助", *YEAR_2026))])
    visit = [doc("d1", DocType.invoice_outpatient, payer_name="张三", visit_date="2026-06-02", self_pay="800.00",
                 self_expense="200.00")]
    # 800 + 200 = 1,000 x 50% = 500 (no deductible)
    assert evaluate(roster, DEMO, ClaimType.outpatient_special, CLAIMANT, visit).benefit.amount == "500.00"
    late = [doc("d1", DocType.invoice_outpatient, payer_name="张三", visit_date="2027-01-03", self_pay="800.00")]
    assert [f.code.value for f in evaluate(roster, DEMO, ClaimType.outpatient_special, CLAIMANT, late).findings] == [
        "outside_coverage"]


def test_the_roster_findings_are_the_ones_these_tests_raise():
    """The corpus of claim materials leaves FINDINGS out: the cases above are where they are raised."""
    from claim_intake.benefit.eligibility import FINDINGS

    roster = MemoryRoster([member(("住院医疗互助", *YEAR_2026))])
    raised = set()
    for documents, claimant in [(stay(total_amount="1.00"), Claimant(name="李四", unit="x")),
                                (stay("2027-03-01", "2027-03-02", total_amount="1.00"), CLAIMANT),
                                (stay(total_amount="500000.00"), CLAIMANT)]:
        raised |= {f.code for f in evaluate(roster, FUZHOU, ClaimType.inpatient, claimant, documents).findings}
    assert raised == FINDINGS


def test_a_per_claim_cap():
    capped = FUZHOU.model_copy(update={"plans": (FUZHOU.plans[0].model_copy(update={"cap_per_claim": Decimal(1000)}),)})
    roster = MemoryRoster([member(("住院医疗互助", *YEAR_2026))])
    result = evaluate(roster, capped, ClaimType.inpatient, CLAIMANT, stay(total_amount="23456.78"))
    # 23,456.78 x 13% = 3,049.38, at most 1,000 a claim; the period cap (50,000) does not bite
    assert steps(result.benefit)["按比例计算"] == "3049.38"
    assert steps(result.benefit)["单次封顶"] == "1000.00"
    assert result.benefit.amount == "1000.00" and result.findings == ()
