"""One end-to-end run through the API with the real PP-OCR engine."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from claim_intake.intake.api.app import create_app
from claim_intake.intake.auth import create_key
from claim_intake.intake.settings import Settings

BUNDLE = Path(__file__).parents[2] / "samples" / "bundles" / "inpatient_missing_discharge_summary"


@pytest.mark.ocr
def test_a_claim_without_discharge_summary_is_asked_for_one(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path))
    with TestClient(app) as client:
        with app.state.service.sessions.begin() as session:
            headers = {"Authorization": f"Bearer {create_key(session, 'e2e')}"}
        files = [("files", (p.name, p.read_bytes())) for p in sorted(BUNDLE.iterdir())]
        ack = client.post("/v1/claims", headers=headers, data={"claim_type": "inpatient"}, files=files)
        assert ack.status_code == 202, ack.text
        deadline = time.monotonic() + 300
        while (claim := client.get(f"/v1/claims/{ack.json()['id']}", headers=headers).json())["status"] == "processing":
            assert time.monotonic() < deadline, "not assessed within 300 s"
            time.sleep(0.5)
    assert claim["status"] == "needs_follow_up"
    assert {d["doc_type"] for d in claim["documents"]} == {"invoice_inpatient", "expense_list", "settlement"}
    missing = [f for f in claim["findings"] if f["code"] == "missing_document"]
    assert [f["doc_type"] for f in missing] == ["discharge_summary"]
    assert missing[0]["severity"] == "blocking"
