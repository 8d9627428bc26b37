"""Writing a corpus bundle: each document captured the way its recipe says, then the ground truth.

A bundle folder holds only what a claimant would upload; its ground truth lies beside it
(``expected_path``). Every random effect draws from a generator keyed by seed, bundle and file,
so a seed reproduces the same bytes and changing one file leaves the others alone.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
from PIL import Image

from claim_intake.samples import defects
from claim_intake.samples.capture import (
    jpeg_bytes,
    phone_photo,
    rotate,
    save_exif_rotated,
    save_jpeg,
    save_png,
    save_png_alpha,
    save_webp,
    scan,
)
from claim_intake.samples.generate import expected_path
from claim_intake.samples.page import Page, page_text, rasterise
from claim_intake.samples.pdf import image_pdf_bytes, pages_pdf_bytes
from claim_intake.samples.printing import Fields

Capture = Literal["clean", "scan", "photo", "rotated_90", "rotated_180", "rotated_270",
                  "exif_rotated", "text_pdf", "image_pdf", "multi_pdf", "png_alpha",
                  "webp_as_jpg", "stamp_over_amount", "photo_dark_desk", "photo_tablecloth",
                  "photo_turned_90", "photo_torn_corner", "photo_dim"]
CAPTURES: tuple[str, ...] = get_args(Capture)
PHOTO_QUALITY = 80
SCAN_QUALITY = 82
# Black-print documents: office scanners keep them in greyscale.
_GREY = {"discharge_summary", "expense_list", "application_form", "other"}


def file_name(stem: str, capture: Capture) -> str:
    if capture in ("text_pdf", "image_pdf", "multi_pdf"):
        return stem + ".pdf"
    return stem + (".png" if capture in ("clean", "png_alpha") else ".jpg")


@dataclass(frozen=True)
class Doc:
    """One document of a bundle, laid out, with how it was captured."""

    file: str
    doc_type: str
    capture: Capture
    page: Page
    fields: Fields


@dataclass
class Bundle:
    name: str
    claim_type: str
    claimant_name: str
    submitted_on: date
    docs: list[Doc] = field(default_factory=list)
    junk: dict[str, bytes] = field(default_factory=dict)  # unreadable uploads: name -> bytes
    earlier_invoices: list[dict[str, str | None]] = field(default_factory=list)
    findings: list[dict[str, str | None]] = field(default_factory=list)

    def add(self, stem: str, doc_type: str, capture: Capture, layout: tuple[Page, Fields]) -> Doc:
        page, fields = layout
        doc = Doc(file_name(stem, capture), doc_type, capture, page, fields)
        self.docs.append(doc)
        return doc

    def finding(self, code: str, doc_type: str | None = None, field: str | None = None) -> None:
        self.findings.append({"code": code, "doc_type": doc_type, "field": field})


def _scanned(doc: Doc, rng: random.Random) -> Image.Image:
    return scan(rasterise(doc.page), rng, grey=doc.doc_type in _GREY)


def _write_single(doc: Doc, path: Path, rng: random.Random) -> None:
    capture = doc.capture
    if capture == "text_pdf":
        path.write_bytes(pages_pdf_bytes([doc.page]))
    elif capture == "image_pdf":
        image = _scanned(doc, rng)
        path.write_bytes(image_pdf_bytes([(jpeg_bytes(image, SCAN_QUALITY), image.size)]))
    elif capture == "clean":
        save_png(rasterise(doc.page), path)
    elif capture == "png_alpha":
        save_png_alpha(rasterise(doc.page), path)
    elif capture == "photo":
        save_jpeg(phone_photo(rasterise(doc.page), rng), path, PHOTO_QUALITY)
    elif capture == "photo_dark_desk":
        save_jpeg(phone_photo(rasterise(doc.page), rng, surface="dark"), path, PHOTO_QUALITY)
    elif capture == "photo_dim":
        # Taken in a dim room: still readable, too dark to trust (poor_image).
        photo = np.asarray(phone_photo(rasterise(doc.page), rng).convert("RGB"))
        save_jpeg(Image.fromarray(defects.dark(photo)), path, PHOTO_QUALITY)
    elif capture == "photo_tablecloth":
        save_jpeg(phone_photo(rasterise(doc.page), rng, surface="tablecloth"), path, PHOTO_QUALITY)
    elif capture == "photo_turned_90":
        # The phone held upright over a landscape bill: the bill lies turned in the pixels,
        # with no EXIF orientation to undo it.
        save_jpeg(phone_photo(rotate(rasterise(doc.page), 90), rng, surface="papers"), path,
                  PHOTO_QUALITY)
    elif capture == "photo_torn_corner":
        save_jpeg(phone_photo(rasterise(doc.page), rng, surface="dark", torn=True), path,
                  PHOTO_QUALITY)
    elif capture == "exif_rotated":
        save_exif_rotated(_scanned(doc, rng), path, SCAN_QUALITY)
    elif capture == "webp_as_jpg":
        save_webp(_scanned(doc, rng), path)
    elif capture.startswith("rotated_"):
        save_jpeg(rotate(_scanned(doc, rng), int(capture.removeprefix("rotated_"))), path,
                  SCAN_QUALITY)
    else:  # scan, stamp_over_amount (the stamp is in the layout; the copy is scanned)
        save_jpeg(_scanned(doc, rng), path, SCAN_QUALITY)


def write_bundle(out_dir: Path, bundle: Bundle, seed: int) -> None:
    folder = out_dir / bundle.name
    # Replace the bundle whole, so no file of an earlier run survives beside new ground truth.
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    entries: list[dict[str, Any]] = []
    by_file: dict[str, list[Doc]] = {}
    for doc in bundle.docs:
        by_file.setdefault(doc.file, []).append(doc)
    for name, docs in by_file.items():
        rng = random.Random(f"{seed}:{bundle.name}:{name}")
        if docs[0].capture == "multi_pdf":
            # A phone scanner app's PDF: every document of the file scanned, one page each.
            images = [_scanned(doc, rng) for doc in docs]
            (folder / name).write_bytes(image_pdf_bytes(
                [(jpeg_bytes(image, SCAN_QUALITY), image.size) for image in images]))
        else:
            (doc,) = docs
            _write_single(doc, folder / name, rng)
        page_no = 1
        for doc in docs:
            entries.append({"file": doc.file, "pages": [page_no], "doc_type": doc.doc_type,
                            "capture": doc.capture, "fields": doc.fields,
                            "text": [page_text(doc.page)]})
            page_no += 1
    for name, data in bundle.junk.items():
        (folder / name).write_bytes(data)
    expected = {
        "claim_type": bundle.claim_type,
        "claimant_name": bundle.claimant_name,
        "submitted_on": bundle.submitted_on.isoformat(),
        "earlier_invoices": bundle.earlier_invoices,
        "documents": entries,
        "findings": bundle.findings,
    }
    expected_path(folder).write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n",
                                     encoding="utf-8")
