"""The synthetic evaluation corpus: deterministic, complete in coverage, faithful ground truth (no OCR)."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from PIL import Image, ImageOps

from claim_intake.extract.amount_words import parse_amount_words
from claim_intake.samples.corpus import write_corpus
from claim_intake.samples.corpus_recipes import RECIPES
from claim_intake.samples.corpus_write import CAPTURES
from claim_intake.samples.generate import expected_path

SPEC = Path(__file__).resolve().parents[1] / "shared" / "spec" / "claim-materials.md"
FINDING_CODES = {"missing_document", "missing_field", "illegible_field", "unreadable_file",
                 "unsupported_document", "amount_words_mismatch", "amount_breakdown_mismatch",
                 "items_sum_mismatch", "name_mismatch", "date_inconsistent", "duplicate_invoice",
                 "late_submission", "poor_image"}
DOC_TYPES = {"invoice_inpatient", "invoice_outpatient", "discharge_summary", "expense_list",
             "settlement", "diagnosis_certificate", "accident_proof", "id_card", "bank_card",
             "application_form", "other"}
PAYMENT_PARTS = ("insurance_fund_paid", "other_paid", "personal_account_paid", "personal_cash_paid")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    write_corpus(out, seed=11)
    return out


@pytest.fixture(scope="module")
def truths(corpus: Path) -> dict[str, dict[str, Any]]:
    return {name: json.loads(expected_path(corpus / name).read_text("utf-8")) for name in RECIPES}


def _findings(expected: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [f for f in expected["findings"] if f["code"] == code]


def test_same_seed_same_bytes(corpus: Path, tmp_path: Path) -> None:
    names = ["inpatient_complete_photos", "outpatient_special_unreadable_files",
             "inpatient_complete_one_multipage_pdf", "accident_outpatient_dot_matrix_invoice"]
    write_corpus(tmp_path, seed=11, only=names)
    for name in names:
        files = sorted(p.name for p in (corpus / name).iterdir())
        assert files == sorted(p.name for p in (tmp_path / name).iterdir())
        for file in files:
            assert (corpus / name / file).read_bytes() == (tmp_path / name / file).read_bytes(), file
        assert expected_path(corpus / name).read_bytes() == expected_path(tmp_path / name).read_bytes()


def test_every_finding_code_doc_type_and_capture_is_covered(truths: dict[str, dict[str, Any]]) -> None:
    codes = {f["code"] for t in truths.values() for f in t["findings"]}
    doc_types = {d["doc_type"] for t in truths.values() for d in t["documents"]}
    captures = {d["capture"] for t in truths.values() for d in t["documents"]}
    assert codes == FINDING_CODES
    assert doc_types == DOC_TYPES
    assert captures == set(CAPTURES)
    if SPEC.exists():  # the spec's tables are the source of these names
        spec = SPEC.read_text("utf-8")
        assert all(f"`{name}`" in spec for name in FINDING_CODES | DOC_TYPES)


def test_ground_truth_shape(corpus: Path, truths: dict[str, dict[str, Any]]) -> None:
    for name, expected in truths.items():
        assert set(expected) == {"claim_type", "claimant_name", "submitted_on", "earlier_invoices",
                                 "documents", "findings"}
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", expected["submitted_on"])
        for doc in expected["documents"]:
            assert set(doc) == {"file", "pages", "doc_type", "capture", "fields", "text"}
            assert (corpus / name / doc["file"]).is_file()
            assert len(doc["text"]) == len(doc["pages"]) and all(doc["text"])
        for finding in expected["findings"]:
            assert set(finding) == {"code", "doc_type", "field"}


def test_bundle_folders_hold_only_uploads(corpus: Path) -> None:
    for name in RECIPES:
        assert not any(p.name.endswith(".json") for p in (corpus / name).iterdir()), name
        assert expected_path(corpus / name).is_file()


def test_text_pdfs_hold_the_ground_truth_values(corpus: Path, truths: dict[str, dict[str, Any]]) -> None:
    checked = 0
    for name, expected in truths.items():
        for doc in expected["documents"]:
            if doc["capture"] != "text_pdf":
                continue
            with pdfplumber.open(corpus / name / doc["file"]) as pdf:
                text = re.sub(r"\s", "", pdf.pages[0].extract_text())
            for line in doc["text"][0]:
                assert re.sub(r"\s", "", line) in text
            for key, value in doc["fields"].items():
                if key in {"title", "admission_diagnosis", "discharge_diagnosis", "diagnosis",
                           "doctor_signed", "admission_date", "discharge_date", "age",
                           "length_of_stay_days", "issue_date"}:
                    continue  # printed in another form (年月日, multi-line) or not text
                values = [i["amount"] for i in value] + [i["name"] for i in value] \
                    if key == "items" else [str(value)]
                for v in values:
                    assert v in text or f"{Decimal(v):,.2f}" in text, (name, key, v)
            checked += 1
    assert checked >= 5


def _amounts_add_up(fields: dict[str, Any]) -> dict[str, bool]:
    total = Decimal(fields["total_amount"])
    return {
        "total_amount_words": parse_amount_words(fields["total_amount_words"]) == total,
        "items": sum(Decimal(i["amount"]) for i in fields["items"]) == total,
        "total_amount": sum(Decimal(fields.get(k, "0")) for k in PAYMENT_PARTS) == total,
    }


def test_amounts_add_up_except_where_broken_on_purpose(truths: dict[str, dict[str, Any]]) -> None:
    broken_by = {"total_amount_words": "amount_words_mismatch", "items": "items_sum_mismatch",
                 "total_amount": "amount_breakdown_mismatch"}
    for name, expected in truths.items():
        invoices = [d for d in expected["documents"] if d["doc_type"].startswith("invoice_")]
        for doc in invoices:
            if "total_amount" not in doc["fields"]:
                # A continuation sheet of a payment printed over several: another sheet of the
                # same payment carries the totals.
                assert any("total_amount" in d["fields"] and d["fields"]["issue_date"] ==
                           doc["fields"]["issue_date"] for d in invoices), (name, doc["file"])
                assert not doc["fields"].get("items"), (name, doc["file"])
                continue
            for field, ok in _amounts_add_up(doc["fields"]).items():
                flagged = {"code": broken_by[field], "doc_type": doc["doc_type"], "field": field}
                assert ok == (flagged not in expected["findings"]), (name, field)


def test_names_and_dates_agree_except_where_broken_on_purpose(truths: dict[str, dict[str, Any]]) -> None:
    for name, expected in truths.items():
        names = {d["fields"].get("patient_name") or d["fields"].get("payer_name")
                 for d in expected["documents"] if d["doc_type"] != "other"} - {None}
        if not _findings(expected, "name_mismatch"):
            assert names <= {expected["claimant_name"]}, name
        if _findings(expected, "date_inconsistent"):
            continue
        for doc in expected["documents"]:
            f = doc["fields"]
            if "admission_date" in f and "discharge_date" in f:
                assert f["admission_date"] <= f["discharge_date"], name
            if "length_of_stay_days" in f:
                days = (date.fromisoformat(f["discharge_date"]) - date.fromisoformat(f["admission_date"])).days
                assert f["length_of_stay_days"] == days, name


def test_submission_deadline(truths: dict[str, dict[str, Any]]) -> None:
    for name, expected in truths.items():
        # Older outpatient forms print no 就诊日期: their bill is printed on the day of the visit.
        last = max(d["fields"].get("discharge_date") or d["fields"].get("visit_date")
                   or (d["fields"].get("issue_date") if d["doc_type"] == "invoice_outpatient" else None)
                   or "" for d in expected["documents"])
        late = (date.fromisoformat(expected["submitted_on"]) - date.fromisoformat(last)).days > 180
        assert late == bool(_findings(expected, "late_submission")), name


def test_exotic_captures_are_what_they_say(corpus: Path, truths: dict[str, dict[str, Any]]) -> None:
    for name, expected in truths.items():
        for doc in expected["documents"]:
            path = corpus / name / doc["file"]
            capture = doc["capture"]
            if capture == "webp_as_jpg":
                assert path.suffix == ".jpg" and path.read_bytes()[8:12] == b"WEBP"
            elif capture == "png_alpha":
                assert Image.open(path).mode == "RGBA"
            elif capture == "exif_rotated":
                image = Image.open(path)
                assert image.getexif()[0x0112] == 6
                upright = ImageOps.exif_transpose(image)
                assert (upright.width > upright.height) == (image.width < image.height)
            elif capture in ("image_pdf", "multi_pdf"):
                with pdfplumber.open(path) as pdf:
                    assert not pdf.pages[doc["pages"][0] - 1].extract_text().strip()
                    assert pdf.pages[doc["pages"][0] - 1].images
