"""The API as a caller uses it, on both backends (SQLite + folder, PostgreSQL + S3)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest
from materials import discharge_summary_pdf, expense_list_pdf, invoice_pdf, settlement_pdf
from sqlalchemy import select

from claim_intake.intake.store.db import AuditEntry, ClaimRow
from claim_intake.intake.store.jobs import DbInvoiceRegistry
from claim_intake.validators.models import InvoiceRef

from .conftest import MAX_FILE_BYTES, Api, png_bytes, wait_for


def _missing(claim: dict[str, Any]) -> set[str]:
    return {f["doc_type"] for f in claim["findings"] if f["code"] == "missing_document"}


def _codes(claim: dict[str, Any]) -> list[str]:
    return [f["code"] for f in claim["findings"]]


def test_claim_is_acknowledged_then_read_and_assessed(api: Api) -> None:
    key = api.new_key()
    calls_before = len(api.engine.calls)
    response = api.submit(key, [
        ("01_invoice.pdf", invoice_pdf()),
        ("02_expense_list.pdf", expense_list_pdf()),
        ("03_settlement.pdf", settlement_pdf()),
        ("04_photo.png", png_bytes()),
    ], claimant_name="张三", external_id="ext-1")
    assert response.status_code == 202, response.text
    ack = response.json()
    assert ack["status"] == "processing"
    assert [d["status"] for d in ack["documents"]] == ["queued"] * 4

    claim = api.wait_assessed(key, ack["id"])
    assert claim["status"] == "needs_follow_up"
    assert claim["external_id"] == "ext-1"
    assert [d["status"] for d in claim["documents"]] == ["read"] * 4
    invoice = claim["documents"][0]
    assert invoice["doc_type"] == "invoice_inpatient"
    assert invoice["fields"]["invoice_number"]["value"] == "0012345678"
    assert invoice["fields"]["total_amount"]["value"] == "353.00"
    assert _missing(claim) == {"discharge_summary"}
    finding = next(f for f in claim["findings"] if f["code"] == "missing_document")
    assert finding["severity"] == "blocking" and "出院" in finding["message_claimant"]
    # The photo had no text layer: it went through the injected engine.
    assert len(api.engine.calls) > calls_before

    download = api.client.get(f"/v1/claims/{claim['id']}/documents/{invoice['id']}/file", headers=key)
    assert download.status_code == 200
    assert download.content == invoice_pdf()
    assert download.headers["content-type"] == "application/pdf"
    assert invoice["sha256"] == hashlib.sha256(invoice_pdf()).hexdigest()


def test_follow_up_upload_is_assessed_with_the_earlier_documents(api: Api) -> None:
    key = api.new_key()
    first = api.submit(key, [("invoice.pdf", invoice_pdf()), ("list.pdf", expense_list_pdf()),
                             ("settlement.pdf", settlement_pdf())]).json()
    assert _missing(api.wait_assessed(key, first["id"])) == {"discharge_summary"}

    more = api.client.post(f"/v1/claims/{first['id']}/documents", headers=key,
                           files=[("files", ("出院记录.pdf", discharge_summary_pdf()))])
    assert more.status_code == 202, more.text
    assert more.json()["status"] == "processing"
    claim = api.wait_assessed(key, first["id"])
    assert len(claim["documents"]) == 4
    assert claim["documents"][3]["filename"] == "出院记录.pdf"
    assert claim["documents"][3]["doc_type"] == "discharge_summary"
    assert _missing(claim) == set()


def test_another_organisation_sees_nothing(api: Api) -> None:
    mine, theirs = api.new_key(), api.new_key()
    claim = api.submit(mine, [("invoice.pdf", invoice_pdf())]).json()
    document_id = claim["documents"][0]["id"]
    for response in (
        api.client.get(f"/v1/claims/{claim['id']}", headers=theirs),
        api.client.get(f"/v1/claims/{claim['id']}/documents/{document_id}/file", headers=theirs),
        api.client.post(f"/v1/claims/{claim['id']}/documents", headers=theirs,
                        files=[("files", ("x.pdf", settlement_pdf()))]),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert api.client.get("/v1/claims", headers=theirs).json()["items"] == []
    assert [c["id"] for c in api.client.get("/v1/claims", headers=mine).json()["items"]] == [claim["id"]]


def test_a_retry_with_the_same_idempotency_key_returns_the_same_claim(api: Api) -> None:
    key = api.new_key()
    files = [("invoice.pdf", invoice_pdf())]
    first = api.submit(key | {"Idempotency-Key": "submit-42"}, files)
    retry = api.submit(key | {"Idempotency-Key": "submit-42"}, files)
    other = api.submit(key | {"Idempotency-Key": "submit-43"}, files)
    assert first.status_code == retry.status_code == other.status_code == 202
    assert retry.json()["id"] == first.json()["id"]
    assert other.json()["id"] != first.json()["id"]
    assert len(api.client.get("/v1/claims", headers=key).json()["items"]) == 2


@pytest.mark.parametrize(
    ("files", "form", "status", "code", "reason"),
    [
        ([("empty.jpg", b"")], {"claim_type": "inpatient"}, 422, "unreadable_file", "empty_file"),
        ([("notes.jpg", "这不是图片".encode())], {"claim_type": "inpatient"}, 415, "unreadable_file",
         "unsupported_file_type"),
        ([("huge.png", b"\x89PNG\r\n\x1a\n" + b"0" * MAX_FILE_BYTES)], {"claim_type": "inpatient"}, 413,
         "unreadable_file", "file_too_large"),
        ([("invoice.pdf", b"%PDF-1.4")], {}, 422, "invalid_request", None),
        ([("invoice.pdf", b"%PDF-1.4")], {"claim_type": "dental"}, 422, "unknown_claim_type", None),
        ([], {"claim_type": "inpatient"}, 422, "invalid_request", None),
    ],
    ids=["empty_file", "unsupported_type", "too_large", "missing_claim_type", "unknown_claim_type", "no_files"],
)
def test_bad_requests_get_a_clear_code_and_create_nothing(
    api: Api, files: list[tuple[str, bytes]], form: dict[str, str], status: int, code: str, reason: str | None
) -> None:
    key = api.new_key()
    response = api.client.post("/v1/claims", headers=key, data=form,
                               files=[("files", f) for f in files] or None)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert error.get("reason") == reason
    assert api.client.get("/v1/claims", headers=key).json()["items"] == []


def test_requests_without_a_valid_key_are_refused(api: Api) -> None:
    for headers in ({}, {"Authorization": "Bearer cik_000000000000_nope"}, {"Authorization": "Basic abc"}):
        response = api.client.get("/v1/claims", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"


def test_one_bad_file_among_good_ones_becomes_a_finding(api: Api) -> None:
    key = api.new_key()
    response = api.submit(key, [("invoice.pdf", invoice_pdf()), ("empty.jpg", b""), ("note.txt", b"hello")])
    assert response.status_code == 202, response.text
    claim = api.wait_assessed(key, response.json()["id"])
    assert [d["status"] for d in claim["documents"]] == ["read", "failed", "failed"]
    assert [d["error"]["reason"] for d in claim["documents"][1:]] == ["empty_file", "unsupported_file_type"]
    assert _codes(claim).count("unreadable_file") == 2
    assert claim["documents"][0]["doc_type"] == "invoice_inpatient"


class _Receiver(BaseHTTPRequestHandler):
    """Answers 500 to the first delivery (to be retried), 200 to the rest; keeps what it got."""

    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []
    failures_left: ClassVar[int] = 1

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        failing = type(self).failures_left > 0
        type(self).failures_left -= 1
        self.send_response(500 if failing else 200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_status_changes_are_posted_signed_and_retried(api: Api) -> None:
    _Receiver.received, _Receiver.failures_left = [], 1
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        key = api.new_key()
        secret = "s3cret-for-signing-webhooks"
        hook = api.client.post("/v1/webhooks", headers=key,
                               json={"url": f"http://127.0.0.1:{server.server_port}/hook", "secret": secret})
        assert hook.status_code == 201, hook.text
        claim = api.submit(key, [("invoice.pdf", invoice_pdf())]).json()
        api.wait_assessed(key, claim["id"])

        deliveries = wait_for(lambda: [d for d in api.client.get(
            f"/v1/webhooks/{hook.json()['id']}/deliveries", headers=key).json() if d["status"] != "pending"])
        assert deliveries[0]["status"] == "delivered"
        assert deliveries[0]["attempts"] == 2
        headers, body = _Receiver.received[-1]
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["X-Claim-Intake-Signature"], expected)
        payload = json.loads(body)
        assert payload["event"] == "claim.status_changed"
        assert payload["claim"]["id"] == claim["id"]
        assert payload["claim"]["status"] == "needs_follow_up"
        assert payload["claim"]["previous_status"] == "processing"
    finally:
        server.shutdown()
        server.server_close()


def test_an_invoice_used_in_an_earlier_claim_of_the_organisation_is_a_duplicate(api: Api) -> None:
    org, other_org = api.new_key(), api.new_key()
    first = api.submit(org, [("invoice.pdf", invoice_pdf(number="0099887766"))]).json()
    assert "duplicate_invoice" not in _codes(api.wait_assessed(org, first["id"]))
    second = api.submit(org, [("invoice-again.pdf", invoice_pdf(number="0099887766"))]).json()
    elsewhere = api.submit(other_org, [("invoice.pdf", invoice_pdf(number="0099887766"))]).json()

    duplicate = [f for f in api.wait_assessed(org, second["id"])["findings"] if f["code"] == "duplicate_invoice"]
    assert len(duplicate) == 1
    assert first["id"] in duplicate[0]["message_staff"]
    assert duplicate[0]["documents"] == [second["documents"][0]["id"]]
    # Another organisation's claims are not counted.
    assert "duplicate_invoice" not in _codes(api.wait_assessed(other_org, elsewhere["id"]))

    ref = InvoiceRef(invoice_code="45060121", invoice_number="0099887766")
    with api.service.sessions() as session:
        claims = {c.id: c.organisation_id for c in _claims(session, first["id"], second["id"])}
    registry = DbInvoiceRegistry(api.service.sessions, claims[second["id"]], second["id"])
    assert registry.claims_using(ref) == [first["id"]]
    # The earlier claim, assessed again, is not the duplicate of the later one.
    assert DbInvoiceRegistry(api.service.sessions, claims[first["id"]], first["id"]).claims_using(ref) == []


def _claims(session: Any, *ids: str) -> list[ClaimRow]:
    return list(session.scalars(select(ClaimRow).where(ClaimRow.id.in_(ids))))


def test_listing_filters_and_pages(api: Api) -> None:
    key = api.new_key()
    ids = [api.submit(key, [("i.pdf", invoice_pdf())], claim_type=t).json()["id"]
           for t in ("inpatient", "inpatient", "outpatient_special")]
    for claim_id in ids:
        api.wait_assessed(key, claim_id)
    everything = api.client.get("/v1/claims", headers=key).json()
    assert [c["id"] for c in everything["items"]] == ids[::-1]
    assert everything["next_cursor"] is None
    outpatient = api.client.get("/v1/claims", headers=key, params={"claim_type": "outpatient_special"}).json()
    assert [c["id"] for c in outpatient["items"]] == [ids[2]]
    assert api.client.get("/v1/claims", headers=key, params={"status": "complete"}).json()["items"] == []
    future = api.client.get("/v1/claims", headers=key, params={"since": "2999-01-01T00:00:00+08:00"}).json()
    assert future["items"] == []
    bad = api.client.get("/v1/claims", headers=key, params={"cursor": "not-a-cursor"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"


def test_every_access_to_a_claim_is_audited(api: Api) -> None:
    key = api.new_key()
    claim = api.submit(key, [("invoice.pdf", invoice_pdf())]).json()
    document_id = claim["documents"][0]["id"]
    api.client.get(f"/v1/claims/{claim['id']}", headers=key)
    api.client.get(f"/v1/claims/{claim['id']}/documents/{document_id}/file", headers=key)
    api.client.post(f"/v1/claims/{claim['id']}/documents", headers=key, files=[("files", ("s.pdf", settlement_pdf()))])
    with api.service.sessions() as session:
        entries = list(session.scalars(select(AuditEntry).where(AuditEntry.claim_id == claim["id"]).order_by(AuditEntry.id)))
    assert [e.action for e in entries] == ["claim.create", "claim.read", "document.download", "claim.upload"]
    assert entries[2].document_id == document_id
    assert len({e.api_key_id for e in entries}) == 1


def test_health_readiness_and_metrics(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    assert api.client.get("/readyz").json() == {"status": "ready"}
    api.client.get("/v1/claims/clm_nothing")  # no key: refused before any route body runs
    metrics = api.client.get("/metrics").text
    assert 'claim_intake_http_requests_total{method="GET",route="/readyz",status="200"} 1.0' in metrics
    assert 'claim_intake_http_requests_total{method="GET",route="/v1/claims/{claim_id}",status="401"} 1.0' in metrics
    assert 'claim_intake_http_request_seconds_count{method="GET",route="/healthz"} 1.0' in metrics
    assert "claim_intake_documents_read_total" in metrics
