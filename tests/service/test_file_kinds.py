"""Every kind of file the reader reads is accepted by every edge: HEIC photos from iPhones, OFD
e-bills, multi-page TIFF scans and WebP photos, alone and together, through ``POST /v1/claims``."""

from __future__ import annotations

import pytest
from materials import heic_photo, ofd_invoice, tiff_scan, webp_photo

from .conftest import Api

KINDS = {
    "photo.heic": (heic_photo, "image/heic"),
    "e-bill.ofd": (ofd_invoice, "application/ofd"),
    "scan.tif": (tiff_scan, "image/tiff"),
    "photo.webp": (webp_photo, "image/webp"),
}


def _pages(document: dict) -> list[int]:
    return sorted(p for part in document["documents"] for p in part["pages"])


@pytest.mark.parametrize("name", list(KINDS))
def test_each_kind_alone_is_read_and_assessed(api: Api, name: str) -> None:
    make, content_type = KINDS[name]
    key = api.new_key()
    response = api.submit(key, [(name, make())])
    assert response.status_code == 202, response.text
    claim = api.wait_assessed(key, response.json()["id"])
    (document,) = claim["documents"]
    assert document["status"] == "read", document
    assert document["content_type"] == content_type
    assert claim["status"] == "needs_follow_up"  # one document of an inpatient claim: the rest is missing
    download = api.client.get(f"/v1/claims/{claim['id']}/documents/{document['id']}/file", headers=key)
    assert download.content == make() and download.headers["content-type"] == content_type


def test_the_four_kinds_together(api: Api) -> None:
    key = api.new_key()
    response = api.submit(key, [(name, make()) for name, (make, _) in KINDS.items()], claimant_name="张三")
    assert response.status_code == 202, response.text
    claim = api.wait_assessed(key, response.json()["id"])
    documents = {d["filename"]: d for d in claim["documents"]}
    assert [d["status"] for d in documents.values()] == ["read"] * 4
    # The OFD's text objects are the invoice itself, read without OCR.
    ofd = documents["e-bill.ofd"]
    assert ofd["doc_type"] == "invoice_inpatient"
    assert ofd["fields"]["invoice_number"]["value"] == "0099887766"
    # Both pages of the scan were read.
    assert _pages(documents["scan.tif"]) == [1, 2]
    assert not [f for f in claim["findings"] if f["code"] == "unreadable_file"]
