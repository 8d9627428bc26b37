"""Writes the demo claim bundles: ``python -m claim_intake.samples.generate samples/bundles``.

``inpatient_complete`` holds all four inpatient documents as a claimant would upload them (a
phone photo, scans, an e-document PDF) and has no findings; ``inpatient_missing_discharge_summary``
is another patient's claim without the 出院记录, so the expected finding is ``missing_document``.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from PIL import Image

from claim_intake.samples.capture import phone_photo, save_jpeg, save_png, scan
from claim_intake.samples.data import InpatientCase, make_inpatient_case
from claim_intake.samples.page import Page, rasterise
from claim_intake.samples.pdf import write_pdf
from claim_intake.samples.render import (
    Fields,
    discharge_summary_page,
    expense_list_page,
    invoice_inpatient_page,
    settlement_page,
)

DEFAULT_SEED = 20261128
Capture = Literal["photo", "scan", "clean", "text_pdf"]
Layout = Callable[[InpatientCase], tuple[Page, Fields]]

_LAYOUTS: dict[str, Layout] = {
    "invoice_inpatient": invoice_inpatient_page,
    "discharge_summary": discharge_summary_page,
    "expense_list": expense_list_page,
    "settlement": settlement_page,
}


def _write_document(case: InpatientCase, doc_type: str, capture: Capture, path: Path,
                    rng: random.Random) -> dict[str, Any]:
    page, fields = _LAYOUTS[doc_type](case)
    if capture == "text_pdf":
        write_pdf(page, path)
    else:
        image: Image.Image = rasterise(page)
        if capture == "photo":
            image = phone_photo(image, rng)
        elif capture == "scan":
            # Scanners keep colour only when a page has some; a discharge record is black print.
            image = scan(image, rng, grey=doc_type == "discharge_summary")
        if path.suffix == ".jpg":
            save_jpeg(image, path)
        else:
            save_png(image, path)
    return {"file": path.name, "pages": [1], "doc_type": doc_type, "capture": capture,
            "fields": fields}


def expected_path(bundle: Path) -> Path:
    """The ground truth of a bundle folder."""
    return bundle.parent / f"{bundle.name}.expected.json"


def _write_bundle(out: Path, case: InpatientCase, seed: int,
                  documents: list[tuple[str, str, Capture]], missing: list[str]) -> None:
    # Replace the bundle whole, so no file of an earlier run survives beside new ground truth.
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    entries = []
    for file, doc_type, capture in documents:
        # A generator per file, keyed by its name: changing one document leaves the others' bytes.
        rng = random.Random(f"{seed}:{out.name}:{file}")
        entries.append(_write_document(case, doc_type, capture, out / file, rng))
    expected = {
        "claim_type": "inpatient",
        "claimant_name": case.patient.name,
        "documents": entries,
        "findings": [{"code": "missing_document", "doc_type": d} for d in missing],
    }
    # Beside the bundle, not in it: a bundle folder holds only what a claimant uploads.
    expected_path(out).write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n",
                                       encoding="utf-8")


def write_demo_bundles(out_dir: Path, seed: int = DEFAULT_SEED) -> None:
    rng = random.Random(seed)
    complete = make_inpatient_case(rng)
    other = make_inpatient_case(rng)
    # The two demos must not be mistaken for one claimant's papers.
    while (other.hospital.name == complete.hospital.name
           or other.patient.name == complete.patient.name):
        other = make_inpatient_case(rng)

    _write_bundle(out_dir / "inpatient_complete", complete, seed, [
        ("01_invoice.jpg", "invoice_inpatient", "photo"),
        ("02_discharge_summary.png", "discharge_summary", "scan"),
        ("03_expense_list.pdf", "expense_list", "text_pdf"),
        ("04_settlement.jpg", "settlement", "scan"),
    ], missing=[])
    _write_bundle(out_dir / "inpatient_missing_discharge_summary", other, seed, [
        ("01_invoice.png", "invoice_inpatient", "clean"),
        ("02_expense_list.pdf", "expense_list", "text_pdf"),
        ("03_settlement.png", "settlement", "clean"),
    ], missing=["discharge_summary"])


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print("usage: python -m claim_intake.samples.generate OUT_DIR [SEED]", file=sys.stderr)
        return 2
    write_demo_bundles(Path(argv[0]), int(argv[1]) if len(argv) == 2 else DEFAULT_SEED)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
