"""The corpus's claims: each recipe draws a case and says which papers a claimant uploads, how
each was captured, and which findings the claim must raise (exactly as the domain reference
defines them). Every recipe not built for a finding is clean: names, dates and amounts agree and
the claim is submitted within the 180-day deadline.

Cross-document inconsistencies are expected on the document that disagrees with the others
(an invoice stay that differs from the summary, expense list and settlement is the invoice's).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from claim_intake.extract.amount_words import amount_to_words
from claim_intake.samples.capture import jpeg_bytes, phone_photo
from claim_intake.samples.claimant import Claimant, make_accident, make_claimant
from claim_intake.samples.corpus_write import Bundle, Capture
from claim_intake.samples.data import (
    InpatientCase,
    OutpatientCase,
    make_accident_inpatient_case,
    make_inpatient_case,
    make_outpatient_case,
)
from claim_intake.samples.page import rasterise
from claim_intake.samples.pdf import pages_pdf_bytes
from claim_intake.samples.printing import Print
from claim_intake.samples.render import (
    discharge_summary_page,
    expense_list_page,
    settlement_page,
    unified_invoice_page,
)
from claim_intake.samples.render_medical import (
    accident_proof_page,
    diagnosis_certificate_page,
    provincial_invoice_page,
)
from claim_intake.samples.render_other import lab_report_page, vat_invoice_page
from claim_intake.samples.render_personal import (
    application_form_page,
    bank_card_page,
    id_card_page,
)

Recipe = Callable[[str, random.Random], Bundle]
RECIPES: dict[str, Recipe] = {}
_INPATIENT_DOCS = ("invoice_inpatient", "discharge_summary", "expense_list", "settlement")
_CLAIM_LABEL = {"inpatient": "住院医疗互助", "outpatient_special": "门诊特殊病", "accident": "意外伤害"}


def recipe(fn: Recipe) -> Recipe:
    """Registers a recipe under its function name, which is the bundle's name."""
    RECIPES[fn.__name__] = fn
    return fn


def _submitted(rng: random.Random, last_day: date, late: bool = False) -> date:
    """Within the deadline (180 days after discharge or the last visit) unless ``late``."""
    return last_day + timedelta(days=rng.randint(200, 260) if late else rng.randint(5, 60))


def _invoice_print(rng: random.Random, total: Decimal, **quirks: object) -> Print:
    # About half of the bills of 1,000 yuan or more print the thousands separator.
    return Print(thousands=total >= 1000 and rng.random() < 0.6, **quirks)  # type: ignore[arg-type]


def _summary_print(rng: random.Random, **quirks: object) -> Print:
    return Print(title=rng.choice(("出院记录", "出院小结")), face=rng.choice(("sans", "serif")),
                 **quirks)  # type: ignore[arg-type]


def _other_name(rng: random.Random, name: str) -> str:
    while (other := make_inpatient_case(rng).patient.name) == name:
        pass
    return other


def _inpatient_bundle(name: str, rng: random.Random, captures: tuple[Capture, ...], *,
                      case: InpatientCase | None = None, late: bool = False,
                      skip: tuple[str, ...] = (), prints: dict[str, Print] | None = None
                      ) -> tuple[Bundle, InpatientCase]:
    """The four inpatient papers, in upload order, captured as ``captures`` says."""
    case = case or make_inpatient_case(rng)
    bundle = Bundle(name, "inpatient", case.patient.name,
                    _submitted(rng, case.stay.discharge_date, late))
    prints = {"invoice_inpatient": _invoice_print(rng, case.total_amount),
              "discharge_summary": _summary_print(rng)} | (prints or {})
    layouts = {
        "invoice_inpatient": lambda: unified_invoice_page(case, prints["invoice_inpatient"]),
        "discharge_summary": lambda: discharge_summary_page(case, prints["discharge_summary"]),
        "expense_list": lambda: expense_list_page(case),
        "settlement": lambda: settlement_page(case),
    }
    for i, (doc_type, capture) in enumerate(zip(_INPATIENT_DOCS, captures), start=1):
        if doc_type not in skip:
            stem = "01_claim_materials" if capture == "multi_pdf" else f"{i:02d}_{doc_type}"
            bundle.add(stem, doc_type, capture, layouts[doc_type]())
    for doc_type in skip:
        bundle.finding("missing_document", doc_type)
    return bundle, case


def _outpatient_bundle(name: str, rng: random.Random, invoice: Capture, certificate: Capture, *,
                       case: OutpatientCase | None = None, late: bool = False,
                       invoice_print: Print | None = None, with_certificate: bool = True
                       ) -> tuple[Bundle, OutpatientCase]:
    case = case or make_outpatient_case(rng)
    bundle = Bundle(name, "outpatient_special", case.patient.name,
                    _submitted(rng, case.visit.visit_date, late))
    bundle.add("01_invoice", "invoice_outpatient", invoice,
               unified_invoice_page(case, invoice_print or _invoice_print(rng, case.total_amount)))
    if with_certificate:
        bundle.add("02_diagnosis_certificate", "diagnosis_certificate", certificate,
                   diagnosis_certificate_page(case, Print(face=rng.choice(("sans", "serif")))))
    else:
        bundle.finding("missing_document", "diagnosis_certificate")
    return bundle, case


def _claimant(rng: random.Random, case: InpatientCase | OutpatientCase, bundle: Bundle) -> Claimant:
    return make_claimant(rng, case.patient, case.hospital, bundle.submitted_on)


# --- complete claims, no findings -----------------------------------------------------------

@recipe
def inpatient_complete_photos(name: str, rng: random.Random) -> Bundle:
    bundle, case = _inpatient_bundle(name, rng, ("photo", "photo", "photo", "photo"))
    bundle.add("05_application_form", "application_form", "clean", application_form_page(
        _claimant(rng, case, bundle), _CLAIM_LABEL["inpatient"], case.hospital.name,
        case.total_amount, bundle.submitted_on))
    return bundle


@recipe
def inpatient_complete_scans_with_cards(name: str, rng: random.Random) -> Bundle:
    bundle, case = _inpatient_bundle(name, rng, ("scan", "scan", "scan", "scan"))
    claimant = _claimant(rng, case, bundle)
    bundle.add("05_id_card", "id_card", "photo", id_card_page(claimant))
    bundle.add("06_bank_card", "bank_card", "photo", bank_card_page(claimant))
    return bundle


@recipe
def inpatient_complete_e_documents(name: str, rng: random.Random) -> Bundle:
    return _inpatient_bundle(name, rng, ("text_pdf",) * 4)[0]


@recipe
def inpatient_complete_one_multipage_pdf(name: str, rng: random.Random) -> Bundle:
    return _inpatient_bundle(name, rng, ("multi_pdf",) * 4)[0]


@recipe
def outpatient_special_complete_stamp_over_amount(name: str, rng: random.Random) -> Bundle:
    case = make_outpatient_case(rng)
    return _outpatient_bundle(name, rng, "stamp_over_amount", "photo", case=case,
                              invoice_print=_invoice_print(rng, case.total_amount,
                                                           stamp_over_amounts=True))[0]


@recipe
def outpatient_special_complete_three_visits(name: str, rng: random.Random) -> Bundle:
    """A chronic-disease claim: three months' bills of one treatment and one certificate."""
    first = make_outpatient_case(rng)
    visits = [first]
    for _ in range(2):
        visits.append(make_outpatient_case(
            rng, like=first, visit_on=visits[-1].visit.visit_date + timedelta(days=rng.randint(26, 35))))
    last = visits[-1]
    bundle = Bundle(name, "outpatient_special", first.patient.name,
                    _submitted(rng, last.visit.visit_date))
    for i, (visit, capture) in enumerate(zip(visits, ("scan", "clean", "text_pdf")), start=1):
        bundle.add(f"{i:02d}_invoice_{visit.visit.visit_date:%Y%m}", "invoice_outpatient", capture,
                   unified_invoice_page(visit, _invoice_print(rng, visit.total_amount)))
    bundle.add("04_diagnosis_certificate", "diagnosis_certificate", "image_pdf",
               diagnosis_certificate_page(last))
    return bundle


@recipe
def accident_inpatient_provincial_paper_bill(name: str, rng: random.Random) -> Bundle:
    case = make_accident_inpatient_case(rng)
    bundle = Bundle(name, "accident", case.patient.name, _submitted(rng, case.stay.discharge_date))
    bundle.add("01_invoice", "invoice_inpatient", "photo",
               provincial_invoice_page(case, _invoice_print(rng, case.total_amount)))
    bundle.add("02_discharge_summary", "discharge_summary", "scan",
               discharge_summary_page(case, _summary_print(rng)))
    _add_accident_proof(rng, bundle, case, "03_accident_proof", "photo")
    return bundle


@recipe
def accident_outpatient_dot_matrix_invoice(name: str, rng: random.Random) -> Bundle:
    case = make_outpatient_case(rng, accident=True)
    bundle = Bundle(name, "accident", case.patient.name, _submitted(rng, case.visit.visit_date))
    # The paper sits down and right of where the printer expects it: about half a line.
    shift = (rng.uniform(8, 30), rng.uniform(14, 22))
    bundle.add("01_invoice", "invoice_outpatient", "scan",
               unified_invoice_page(case, _invoice_print(rng, case.total_amount, shift=shift)))
    bundle.add("02_diagnosis_certificate", "diagnosis_certificate", "webp_as_jpg",
               diagnosis_certificate_page(case))
    _add_accident_proof(rng, bundle, case, "03_accident_proof", "scan")
    return bundle


def _add_accident_proof(rng: random.Random, bundle: Bundle, case: InpatientCase | OutpatientCase,
                        stem: str, capture: Capture) -> None:
    if isinstance(case, InpatientCase):
        day, injury = case.stay.admission_date, case.stay.discharge_diagnosis[0]
        traffic = "车祸" in case.stay.course
    else:
        day, injury, traffic = case.visit.visit_date, case.visit.diagnosis[0], rng.random() < 0.5
    claimant = _claimant(rng, case, bundle)
    accident = make_accident(rng, claimant, case.hospital, day, injury.split(".", 1)[1], traffic)
    bundle.add(stem, "accident_proof", capture, accident_proof_page(accident, claimant))


# --- one finding code (or one way to raise it) per bundle ----------------------------------

@recipe
def inpatient_missing_discharge_summary(name: str, rng: random.Random) -> Bundle:
    return _inpatient_bundle(name, rng, ("photo", "clean", "text_pdf", "scan"),
                             skip=("discharge_summary",))[0]


@recipe
def inpatient_missing_settlement(name: str, rng: random.Random) -> Bundle:
    return _inpatient_bundle(name, rng, ("rotated_90", "scan", "photo", "scan"),
                             skip=("settlement",))[0]


@recipe
def outpatient_special_missing_diagnosis_certificate(name: str, rng: random.Random) -> Bundle:
    return _outpatient_bundle(name, rng, "photo", "photo", with_certificate=False)[0]


@recipe
def accident_missing_accident_proof(name: str, rng: random.Random) -> Bundle:
    case = make_outpatient_case(rng, accident=True)
    bundle = Bundle(name, "accident", case.patient.name, _submitted(rng, case.visit.visit_date))
    bundle.add("01_invoice", "invoice_outpatient", "photo", unified_invoice_page(case))
    bundle.add("02_diagnosis_certificate", "diagnosis_certificate", "rotated_270",
               diagnosis_certificate_page(case))
    bundle.finding("missing_document", "accident_proof")
    return bundle


@recipe
def outpatient_special_missing_field_issue_date(name: str, rng: random.Random) -> Bundle:
    bundle, _ = _outpatient_bundle(name, rng, "scan", "clean",
                                   invoice_print=Print(blank=frozenset({"issue_date"})))
    bundle.finding("missing_field", "invoice_outpatient", "issue_date")
    return bundle


@recipe
def inpatient_missing_field_discharge_diagnosis(name: str, rng: random.Random) -> Bundle:
    bundle, _ = _inpatient_bundle(
        name, rng, ("clean", "rotated_180", "scan", "exif_rotated"),
        prints={"discharge_summary": _summary_print(rng, blank=frozenset({"discharge_diagnosis"}))})
    bundle.finding("missing_field", "discharge_summary", "discharge_diagnosis")
    return bundle


@recipe
def outpatient_special_illegible_payer_name(name: str, rng: random.Random) -> Bundle:
    bundle, _ = _outpatient_bundle(name, rng, "scan", "scan",
                                   invoice_print=Print(faint=frozenset({"payer_name"})))
    bundle.finding("illegible_field", "invoice_outpatient", "payer_name")
    return bundle


@recipe
def outpatient_special_unreadable_files(name: str, rng: random.Random) -> Bundle:
    """Besides a complete claim: an empty upload, a cut-off photo and a password-locked PDF."""
    bundle, case = _outpatient_bundle(name, rng, "clean", "png_alpha")
    photo = jpeg_bytes(phone_photo(rasterise(bundle.docs[0].page), rng), 80)
    bundle.junk["03_extra.jpg"] = b""
    bundle.junk["04_invoice_again.jpg"] = photo[: len(photo) // 3]
    bundle.junk["05_certificate_locked.pdf"] = pages_pdf_bytes([bundle.docs[1].page],
                                                               encrypt=case.patient.id_number[-6:])
    for _ in bundle.junk:
        bundle.finding("unreadable_file")
    return bundle


@recipe
def inpatient_truncated_discharge_summary(name: str, rng: random.Random) -> Bundle:
    """The summary's photo was cut off in upload: unreadable, so the summary is missing too."""
    bundle, case = _inpatient_bundle(name, rng, ("scan", "photo", "clean", "scan"),
                                     skip=("discharge_summary",))
    photo = jpeg_bytes(phone_photo(rasterise(discharge_summary_page(case)[0]), rng), 80)
    bundle.junk["02_discharge_summary.jpg"] = photo[: len(photo) * 2 // 5]
    bundle.findings.insert(0, {"code": "unreadable_file", "doc_type": None, "field": None})
    return bundle


@recipe
def outpatient_special_with_vat_invoice(name: str, rng: random.Random) -> Bundle:
    bundle, case = _outpatient_bundle(name, rng, "photo", "scan")
    claimant = _claimant(rng, case, bundle)
    bundle.add("03_pharmacy_invoice", "other", "text_pdf",
               vat_invoice_page(rng, claimant, case.hospital.province, case.visit.visit_date))
    bundle.finding("unsupported_document", "other")
    return bundle


@recipe
def outpatient_special_with_lab_report(name: str, rng: random.Random) -> Bundle:
    bundle, case = _outpatient_bundle(name, rng, "webp_as_jpg", "clean")
    bundle.add("03_lab_report", "other", "photo", lab_report_page(
        rng, case.patient, case.hospital, case.visit.department, case.visit.visit_date))
    bundle.finding("unsupported_document", "other")
    return bundle


@recipe
def outpatient_special_amount_words_mismatch(name: str, rng: random.Random) -> Bundle:
    case = make_outpatient_case(rng)
    wrong = amount_to_words(case.total_amount + Decimal(rng.choice((1, 10, 100))))
    bundle, _ = _outpatient_bundle(name, rng, "clean", "scan", case=case,
                                   invoice_print=Print(override={"total_amount_words": wrong}))
    bundle.finding("amount_words_mismatch", "invoice_outpatient", "total_amount_words")
    return bundle


@recipe
def outpatient_special_amount_breakdown_mismatch(name: str, rng: random.Random) -> Bundle:
    case = make_outpatient_case(rng)
    fund = case.payment.insurance_fund_paid - Decimal(rng.randint(1, 5)) / 100
    bundle, _ = _outpatient_bundle(name, rng, "png_alpha", "photo", case=case,
                                   invoice_print=Print(override={"insurance_fund_paid": fund}))
    bundle.finding("amount_breakdown_mismatch", "invoice_outpatient", "total_amount")
    return bundle


@recipe
def outpatient_special_items_sum_mismatch(name: str, rng: random.Random) -> Bundle:
    case = make_outpatient_case(rng)
    items = [(item.name, item.amount) for item in case.items]
    name0, amount0 = items[0]
    items[0] = (name0, amount0 + Decimal(rng.randint(5, 60)))
    bundle, _ = _outpatient_bundle(name, rng, "scan", "scan", case=case,
                                   invoice_print=Print(items=tuple(items)))
    bundle.finding("items_sum_mismatch", "invoice_outpatient", "items")
    return bundle


@recipe
def inpatient_name_mismatch_discharge_summary(name: str, rng: random.Random) -> Bundle:
    case = make_inpatient_case(rng)
    other = _other_name(rng, case.patient.name)
    bundle, _ = _inpatient_bundle(
        name, rng, ("scan", "photo", "scan", "clean"), case=case,
        prints={"discharge_summary": _summary_print(rng, override={"patient_name": other})})
    bundle.finding("name_mismatch", "discharge_summary", "patient_name")
    return bundle


@recipe
def outpatient_special_claimant_not_the_patient(name: str, rng: random.Random) -> Bundle:
    """A family member's papers under the employee's claim: every document names the patient."""
    bundle, case = _outpatient_bundle(name, rng, "photo", "photo")
    bundle.claimant_name = _other_name(rng, case.patient.name)
    bundle.finding("name_mismatch", "invoice_outpatient", "payer_name")
    bundle.finding("name_mismatch", "diagnosis_certificate", "patient_name")
    return bundle


@recipe
def inpatient_invoice_stay_differs(name: str, rng: random.Random) -> Bundle:
    case = make_inpatient_case(rng)
    # One day short: the bill's stay ends before the summary's, the expense list's and the
    # settlement's, and before the bill's own issue date, so only the stay disagrees.
    early = case.stay.discharge_date - timedelta(days=1)
    bundle, _ = _inpatient_bundle(
        name, rng, ("scan", "scan", "text_pdf", "scan"), case=case,
        prints={"invoice_inpatient": _invoice_print(rng, case.total_amount,
                                                    override={"discharge_date": early})})
    bundle.finding("date_inconsistent", "invoice_inpatient", "discharge_date")
    return bundle


@recipe
def accident_discharge_before_admission(name: str, rng: random.Random) -> Bundle:
    case = make_accident_inpatient_case(rng)
    bundle = Bundle(name, "accident", case.patient.name, _submitted(rng, case.stay.discharge_date))
    typo = case.stay.admission_date - timedelta(days=rng.randint(5, 25))
    bundle.add("01_invoice", "invoice_inpatient", "scan",
               unified_invoice_page(case, _invoice_print(rng, case.total_amount)))
    # 住院天数 is left blank: printed from the wrong date it would raise a second finding.
    bundle.add("02_discharge_summary", "discharge_summary", "photo", discharge_summary_page(
        case, _summary_print(rng, override={"discharge_date": typo},
                             blank=frozenset({"length_of_stay_days"}))))
    _add_accident_proof(rng, bundle, case, "03_accident_proof", "clean")
    bundle.finding("date_inconsistent", "discharge_summary", "discharge_date")
    return bundle


@recipe
def inpatient_stated_days_differ(name: str, rng: random.Random) -> Bundle:
    case = make_inpatient_case(rng)
    days = case.stay.length_of_stay_days + rng.randint(4, 9)
    bundle, _ = _inpatient_bundle(
        name, rng, ("photo", "scan", "scan", "image_pdf"), case=case,
        prints={"discharge_summary": _summary_print(rng, override={"length_of_stay_days": days})})
    bundle.finding("date_inconsistent", "discharge_summary", "length_of_stay_days")
    return bundle


@recipe
def outpatient_special_same_invoice_twice(name: str, rng: random.Random) -> Bundle:
    bundle, _ = _outpatient_bundle(name, rng, "photo", "scan")
    invoice = bundle.docs[0]
    bundle.docs.append(replace(invoice, file="03_invoice_scan.jpg", capture="scan"))
    bundle.finding("duplicate_invoice", "invoice_outpatient", "invoice_number")
    return bundle


@recipe
def inpatient_invoice_used_in_earlier_claim(name: str, rng: random.Random) -> Bundle:
    bundle, case = _inpatient_bundle(name, rng, ("photo", "scan", "clean", "photo"))
    bundle.earlier_invoices.append({"invoice_code": case.invoice.code,
                                    "invoice_number": case.invoice.number})
    bundle.finding("duplicate_invoice", "invoice_inpatient", "invoice_number")
    return bundle


@recipe
def inpatient_late_submission(name: str, rng: random.Random) -> Bundle:
    bundle, _ = _inpatient_bundle(name, rng, ("scan", "scan", "clean", "photo"), late=True)
    bundle.finding("late_submission")
    return bundle


@recipe
def outpatient_special_late_submission(name: str, rng: random.Random) -> Bundle:
    bundle, _ = _outpatient_bundle(name, rng, "exif_rotated", "scan", late=True)
    bundle.finding("late_submission")
    return bundle


@recipe
def inpatient_dim_photo_of_settlement(name: str, rng: random.Random) -> Bundle:
    """The settlement photographed in a dim room: read, but staff should ask for a better photo."""
    bundle, _ = _inpatient_bundle(name, rng, ("scan", "clean", "scan", "photo_dim"))
    bundle.finding("poor_image", "settlement")
    return bundle


# The older provincial forms register their recipes here, so RECIPES holds every bundle.
from claim_intake.samples import corpus_recipes_regional  # noqa: F401
