"""The synthetic claim generator: deterministic, internally consistent, faithful PDFs (no OCR)."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest

from claim_intake.extract.amount_words import parse_amount_words
from claim_intake.samples.data import ZERO, make_inpatient_case
from claim_intake.samples.generate import expected_path, write_demo_bundles
from claim_intake.samples.render import render_discharge_summary, render_invoice_inpatient

SEEDS = range(40)


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundles")
    write_demo_bundles(out, seed=7)
    return out


def test_same_seed_same_bytes(bundles: Path, tmp_path: Path) -> None:
    write_demo_bundles(tmp_path, seed=7)
    for bundle in ("inpatient_complete", "inpatient_missing_discharge_summary"):
        first = sorted(p.name for p in (bundles / bundle).iterdir())
        assert first == sorted(p.name for p in (tmp_path / bundle).iterdir())
        for name in first:
            assert (bundles / bundle / name).read_bytes() == (tmp_path / bundle / name).read_bytes(), name


def test_different_seed_different_case() -> None:
    assert make_inpatient_case(random.Random(1)) != make_inpatient_case(random.Random(2))


@pytest.mark.parametrize("seed", SEEDS)
def test_case_invariants(seed: int) -> None:
    case = make_inpatient_case(random.Random(seed))
    pay, stay = case.payment, case.stay
    assert 6 <= len(case.items) <= 12
    assert sum((item.amount for item in case.items), ZERO) == case.total_amount
    assert sum((line.amount for _, line in case.expense_lines), ZERO) == case.total_amount
    parts = pay.insurance_fund_paid + pay.other_paid + pay.personal_account_paid + pay.personal_cash_paid
    assert parts == case.total_amount
    assert pay.self_pay + pay.self_expense == pay.personal_account_paid + pay.personal_cash_paid
    assert min(pay.self_pay, pay.self_expense, pay.personal_cash_paid) >= 0
    assert parse_amount_words(case.total_amount_words) == case.total_amount
    assert stay.discharge_date >= stay.admission_date
    assert stay.length_of_stay_days == (stay.discharge_date - stay.admission_date).days
    assert stay.discharge_date <= case.invoice.issue_date
    assert len(case.invoice.code) == 8 and case.invoice.code.isdigit()
    assert len(case.invoice.number) == 10 and case.invoice.number.isdigit()
    assert len(case.invoice.check_code) == 6 and int(case.invoice.check_code, 16) >= 0
    assert len(case.patient.id_number) == 18


def test_ground_truth_fields_agree_with_the_case() -> None:
    case = make_inpatient_case(random.Random(3))
    image, invoice = render_invoice_inpatient(case)
    assert image.size == (1654, 1169) and image.mode == "RGB"
    assert parse_amount_words(invoice["total_amount_words"]) == Decimal(invoice["total_amount"])
    assert sum(Decimal(i["amount"]) for i in invoice["items"]) == Decimal(invoice["total_amount"])
    assert invoice["title"].endswith("医疗住院收费票据（电子）")
    assert invoice["payee"] == case.hospital.name
    _, summary = render_discharge_summary(case)
    assert summary["length_of_stay_days"] == case.stay.length_of_stay_days
    assert summary["admission_date"] == invoice["admission_date"]
    assert summary["doctor_signed"] is True


def test_expected_json_shape(bundles: Path) -> None:
    complete = json.loads(expected_path(bundles / "inpatient_complete").read_text("utf-8"))
    missing = json.loads(
        expected_path(bundles / "inpatient_missing_discharge_summary").read_text("utf-8"))
    for expected in (complete, missing):
        assert set(expected) == {"claim_type", "claimant_name", "documents", "findings"}
        for doc in expected["documents"]:
            assert set(doc) == {"file", "pages", "doc_type", "capture", "fields"}
    assert complete["findings"] == []
    assert missing["findings"] == [{"code": "missing_document", "doc_type": "discharge_summary"}]
    assert complete["claimant_name"] != missing["claimant_name"]
    assert "discharge_summary" not in {d["doc_type"] for d in missing["documents"]}


@pytest.mark.parametrize("bundle", ["inpatient_complete", "inpatient_missing_discharge_summary"])
def test_text_pdf_holds_ground_truth(bundles: Path, bundle: str) -> None:
    expected = json.loads(expected_path(bundles / bundle).read_text("utf-8"))
    doc = next(d for d in expected["documents"] if d["capture"] == "text_pdf")
    with pdfplumber.open(bundles / bundle / doc["file"]) as pdf:
        text = pdf.pages[0].extract_text()
    fields = doc["fields"]
    assert f"姓名：{fields['patient_name']}" in text
    assert f"合计：{fields['total_amount']}" in text
    assert fields["hospital_record_number"] in text
    for item in fields["items"]:
        assert item["name"] in text and item["amount"] in text
