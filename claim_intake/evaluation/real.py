"""`read` scored on real images against a labels file (``labels.json`` of the real development set).

The images carry personal data: they stay in a folder outside the repository and nothing of them
is written anywhere but where the caller asks (an OCR recording for fast re-runs, also outside).
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from claim_intake.evaluation.score import Tally, percentile, values_match
from claim_intake.extract.models import Document
from claim_intake.ocr.options import ReadOptions
from claim_intake.ocr.reader import EngineFactory
from claim_intake.pipeline import FileReport, read_upload

KEY_FIELDS = (
    "invoice_number",
    "issue_date",
    "total_amount",
    "total_amount_words",
    "insurance_fund_paid",
    "personal_account_paid",
    "payee",
    "items",
)
"""The fields the real-data target is stated over; every other labelled field is reported too."""

LABEL_ALIASES = {"cash_paid": "personal_cash_paid"}
"""Label keys of the development set that the domain reference names otherwise (现金支付)."""


class RealLabel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    file: str
    doc_type: str
    capture: str = "unknown"
    orientation: int = 0
    fields: dict[str, Any] = {}
    unsure: tuple[str, ...] = ()


def load_labels(path: Path) -> list[RealLabel]:
    return [RealLabel.model_validate(item) for item in json.loads(path.read_text(encoding="utf-8"))]


def _main_document(report: FileReport, doc_type: str) -> Document | None:
    """The document a label describes: the one of the labelled type, else the first."""
    documents = report.documents
    return next((d for d in documents if d.doc_type.value == doc_type), documents[0] if documents else None)


def evaluate_real(
    images: Path,
    labels: list[RealLabel],
    options: ReadOptions,
    engine: EngineFactory,
    on_image: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    doc_type = Tally()
    key = Tally()
    by_field: dict[str, Tally] = {}
    by_capture: dict[str, Tally] = {}
    misses: list[dict[str, Any]] = []
    seconds: list[float] = []
    missing: list[str] = []
    for label in labels:
        path = images / label.file
        if not path.is_file():
            missing.append(label.file)
            continue
        on_image(label.file)
        report = read_upload(label.file, path.read_bytes(), options, engine)
        seconds.append(report.seconds / max(len(report.pages), 1))
        document = _main_document(report, label.doc_type)
        found_type = document.doc_type.value if document else "(none)"
        doc_type.add(found_type == label.doc_type)
        if found_type != label.doc_type:
            misses.append({"file": label.file, "field": "doc_type", "expected": label.doc_type, "found": found_type})
        fields = document.fields if document else {}
        for label_name, expected in label.fields.items():
            if label_name in label.unsure:
                continue
            name = LABEL_ALIASES.get(label_name, label_name)
            found = fields[name].value if name in fields else None
            if expected == [] and found is None:
                found = []  # no charge list printed, none read
            right = expected is None and found is None or expected is not None and values_match(expected, found)
            by_field.setdefault(name, Tally()).add(right)
            if name in KEY_FIELDS:
                key.add(right)
                by_capture.setdefault(label.capture, Tally()).add(right)
            if not right:
                misses.append({"file": label.file, "field": name, "expected": expected, "found": found})
    if missing and len(missing) == len(labels):
        raise FileNotFoundError(f"none of the {len(labels)} labelled images is in {images}")
    return {
        "images": len(labels) - len(missing),
        "missing_images": missing,
        "doc_type_accuracy": doc_type.rate,
        "key_field_accuracy": key.rate,
        "key_fields": list(KEY_FIELDS),
        "per_field": {
            name: {"right": t.right, "total": t.total, "rate": t.rate} for name, t in sorted(by_field.items())
        },
        "key_field_accuracy_by_capture": {capture: t.rate for capture, t in sorted(by_capture.items())},
        "seconds_per_page": {
            "median": statistics.median(seconds) if seconds else None,
            "p95": percentile(seconds, 95),
        },
        "misses": misses,
    }
