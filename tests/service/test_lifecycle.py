"""The service across restarts and outages, and the commands that set it up."""

from __future__ import annotations

import socket

from materials import invoice_pdf, settlement_pdf
from sqlalchemy import update
from typer.testing import CliRunner

from claim_intake.intake.cli.app import app as cli
from claim_intake.intake.store.db import DocumentRow

from .conftest import Api, Backend, start_api, wait_for


def test_documents_left_unread_by_a_stopped_process_are_read_on_start(backend: Backend, api: Api) -> None:
    # The recovering process takes over every unread document of the database: let the session's
    # app finish its own first, as only one process per database recovers at a time.
    wait_for(lambda: api.service.executor.pending == 0)
    settings = backend.make_settings()
    client, first = start_api(settings)
    # A process that acknowledged the upload, then died before reading it.
    first.service.executor.submit_document = lambda document_id: None  # type: ignore[method-assign]
    key = first.new_key()
    claim = first.submit(key, [("invoice.pdf", invoice_pdf()), ("settlement.pdf", settlement_pdf())]).json()
    with first.service.sessions.begin() as session:  # one of them was being read when it died
        session.execute(update(DocumentRow).where(DocumentRow.id == claim["documents"][1]["id"]).values(status="reading"))
    client.__exit__(None, None, None)

    client, second = start_api(settings)
    try:
        recovered = second.wait_assessed(key, claim["id"])
        assert [d["status"] for d in recovered["documents"]] == ["read", "read"]
        assert [d["doc_type"] for d in recovered["documents"]] == ["invoice_inpatient", "settlement"]
    finally:
        client.__exit__(None, None, None)


def test_a_document_whose_reads_keep_dying_is_given_up_and_the_claim_assessed(backend: Backend, api: Api) -> None:
    wait_for(lambda: api.service.executor.pending == 0)
    settings = backend.make_settings()
    client, first = start_api(settings)
    first.service.executor.submit_document = lambda document_id: None  # type: ignore[method-assign]
    key = first.new_key()
    claim = first.submit(key, [("invoice.pdf", invoice_pdf()), ("settlement.pdf", settlement_pdf())]).json()
    poisoned = claim["documents"][1]["id"]
    with first.service.sessions.begin() as session:  # every read so far was killed mid-way
        session.execute(update(DocumentRow).where(DocumentRow.id == poisoned)
                        .values(status="reading", attempts=settings.queue.max_reads))
    client.__exit__(None, None, None)

    client, second = start_api(settings)
    try:
        assessed = second.wait_assessed(key, claim["id"])
        assert [d["status"] for d in assessed["documents"]] == ["read", "failed"]
        assert assessed["documents"][1]["error"]["reason"] == "read_abandoned"
        assert "unreadable_file" in [f["code"] for f in assessed["findings"]]
    finally:
        client.__exit__(None, None, None)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_uploads_are_refused_while_object_storage_is_down(backend: Backend) -> None:
    settings = backend.make_settings(
        storage_url="s3://claims-down", s3_endpoint=f"127.0.0.1:{_closed_port()}",
        s3_access_key="k", s3_secret_key="s", s3_timeout_s=1.0,
    )
    client, api = start_api(settings)
    try:
        key = api.new_key()
        response = api.submit(key, [("invoice.pdf", invoice_pdf())])
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "storage_unavailable"
        assert response.headers["Retry-After"]
        assert api.client.get("/v1/claims", headers=key).json()["items"] == []
        ready = api.client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["error"]["code"] == "not_ready"
        assert "127.0.0.1" not in ready.text  # which part, not its address or the driver's words
        assert api.client.get("/healthz").status_code == 200
    finally:
        client.__exit__(None, None, None)


def test_keys_create_prints_a_key_that_the_api_accepts(backend: Backend) -> None:
    settings = backend.make_settings()
    env = {"CLAIM_INTAKE_DATA_DIR": str(settings.data_dir)}
    if settings.database_url:
        env["CLAIM_INTAKE_DATABASE_URL"] = settings.database_url
    typo = CliRunner().invoke(cli, ["keys", "create", "--org", "南宁市总工会"], env=env)
    assert typo.exit_code != 0 and "not_found" in typo.output and "--new-org" in typo.output
    result = CliRunner().invoke(cli, ["keys", "create", "--org", "南宁市总工会", "--new-org"], env=env)
    assert result.exit_code == 0, result.output
    again = CliRunner().invoke(cli, ["keys", "create", "--org", "南宁市总工会"], env=env)
    assert again.exit_code == 0 and again.output.strip() != result.output.strip()
    key = result.output.strip()
    assert key.startswith("cik_")

    client, api = start_api(settings)
    try:
        assert api.client.get("/v1/claims", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    finally:
        client.__exit__(None, None, None)


def test_db_upgrade_migrates_an_empty_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["db", "upgrade"], env={"CLAIM_INTAKE_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "claim-intake.db").is_file()
