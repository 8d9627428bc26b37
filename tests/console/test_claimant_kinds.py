"""The claimant's follow-up page takes every kind of file the reader reads: HEIC photos from
iPhones, OFD e-bills, multi-page TIFF scans and WebP photos, alone and together."""

from __future__ import annotations

import re

import pytest
from materials import heic_photo, ofd_invoice, tiff_scan, webp_photo

from .conftest import Console, csrf_of, missing_discharge_summary

KINDS = {"photo.heic": heic_photo, "e-bill.ofd": ofd_invoice, "scan.tif": tiff_scan, "photo.webp": webp_photo}


def _upload_through_the_link(console: Console, files: list[tuple[str, bytes]]) -> dict:
    org = console.new_org()
    claim_id = console.submit(org, missing_discharge_summary())
    staff = console.login(org.email)
    staff.post(f"/console/claims/{claim_id}/links", data={"csrf_token": csrf_of(staff.get(f"/console/claims/{claim_id}").text)})
    (url,) = re.findall(r'id="follow-up-link" href="([^"]+)"', staff.get(f"/console/claims/{claim_id}").text)
    claimant = console.client()
    form = claimant.get(url)
    # The phone's file picker offers every kind, OFD e-bills and HEIC photos too.
    accept = re.search(r'accept="([^"]+)"', form.text)
    assert accept and {".ofd", "image/heic", "image/webp", "image/tiff"} <= set(accept.group(1).split(","))
    response = claimant.post(url, data={"csrf_token": csrf_of(form.text)}, files=[("files", f) for f in files])
    assert response.status_code == 303, response.text
    return console.wait_assessed(org, claim_id)


@pytest.mark.parametrize("name", list(KINDS))
def test_each_kind_alone(console: Console, name: str) -> None:
    claim = _upload_through_the_link(console, [(name, KINDS[name]())])
    added = claim["documents"][3:]
    assert [(d["filename"], d["status"]) for d in added] == [(name, "read")]


def test_the_four_kinds_together(console: Console) -> None:
    claim = _upload_through_the_link(console, [(name, make()) for name, make in KINDS.items()])
    added = {d["filename"]: d for d in claim["documents"][3:]}
    assert list(added) == list(KINDS)
    assert [d["status"] for d in added.values()] == ["read"] * 4
    assert added["e-bill.ofd"]["doc_type"] == "invoice_inpatient"
    assert not [f for f in claim["findings"] if f["code"] == "unreadable_file"]
