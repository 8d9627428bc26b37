"""Ground truth of a corpus bundle (``<bundle>.expected.json`` beside the bundle folder)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from claim_intake.validators.models import InvoiceRef


class TruthDocument(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    file: str
    pages: tuple[int, ...]
    doc_type: str
    capture: str = "unknown"
    fields: dict[str, Any] = {}
    text: tuple[tuple[str, ...], ...] = ()


class TruthFinding(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    code: str
    doc_type: str | None = None
    field: str | None = None


class Bundle(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str
    folder: Path
    claim_type: str
    claimant_name: str | None = None
    submitted_on: date | None = None
    earlier_invoices: tuple[InvoiceRef, ...] = ()
    documents: tuple[TruthDocument, ...]
    findings: tuple[TruthFinding, ...] = ()

    @property
    def files(self) -> list[Path]:
        return sorted(p for p in self.folder.iterdir() if p.is_file())


def load_corpus(root: Path) -> list[Bundle]:
    """Every bundle folder under ``root`` that has its ground truth beside it."""
    bundles = []
    for truth in sorted(root.rglob("*.expected.json")):
        folder = truth.with_name(truth.name.removesuffix(".expected.json"))
        if folder.is_dir():
            raw = json.loads(truth.read_text(encoding="utf-8"))
            bundles.append(Bundle.model_validate(raw | {"name": folder.name, "folder": folder}))
    return bundles


class EarlierInvoices:
    """The invoices a bundle says earlier claims used, as the service's registry would."""

    def __init__(self, invoices: tuple[InvoiceRef, ...]) -> None:
        self._invoices = invoices

    def claims_using(self, invoice: InvoiceRef) -> list[str]:
        return [
            "earlier-claim"
            for known in self._invoices
            if known.invoice_number == invoice.invoice_number
            and (known.invoice_code is None or invoice.invoice_code is None or known.invoice_code == invoice.invoice_code)
        ]
