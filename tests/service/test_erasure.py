"""Erasing a claim leaves no byte of its files or text in the database or object storage (SQLite
and a folder; PostgreSQL and S3), keeps files another claim shares, and leaves the audit entry;
retention and the orphan sweep on the same parts."""

from __future__ import annotations

import secrets

import pytest
from materials import invoice_pdf
from sqlalchemy import select
from typer.testing import CliRunner

from claim_intake.errors import NotFoundError
from claim_intake.intake.cli.app import app as cli
from claim_intake.intake.erasure import apply_retention, sweep_orphans
from claim_intake.intake.settings import Settings
from claim_intake.intake.store.db import AuditEntry, Base, DocumentRow
from claim_intake.workers.options import QueueOptions

from .conftest import Api, png_bytes, start_api, wait_for


def _database_mentions(api: Api, markers: list[str]) -> list[str]:
    """Every row of every table, as text, that holds one of the markers."""
    found = []
    with api.service.sessions() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)):
                text = repr(tuple(row))
                found += [f"{table.name}: {m}" for m in markers if m in text]
    return found


def _stored(api: Api) -> dict[str, bytes]:
    return {key: api.service.store.get(key) for key in api.service.store.keys_older_than(-60)}


def test_an_erased_claim_leaves_no_byte_of_its_files_or_text(api: Api) -> None:
    org, other = api.new_key(), api.new_key()
    number = f"{secrets.randbelow(10**10):010d}"
    name = "擦除测试" + secrets.token_hex(3)
    external = "ext-" + secrets.token_hex(6)
    invoice = invoice_pdf(number=number, payer=name)
    shared = png_bytes() + secrets.token_bytes(8)  # the same photo in two organisations' claims
    claim = api.submit(org, [("invoice.pdf", invoice), ("photo.png", shared)], claimant_name=name,
                       external_id=external).json()
    elsewhere = api.submit(other, [("photo.png", shared)]).json()
    api.wait_assessed(org, claim["id"])
    api.wait_assessed(other, elsewhere["id"])
    keys = [d["sha256"] for d in claim["documents"]]
    markers = [number, name, external, *(d["id"] for d in claim["documents"])]
    assert _database_mentions(api, [number, name])  # the text was there to erase

    response = api.client.delete(f"/v1/claims/{claim['id']}", headers=org)
    assert response.status_code == 204, response.text

    assert api.client.get(f"/v1/claims/{claim['id']}", headers=org).status_code == 404
    leftovers = [m for m in _database_mentions(api, markers) if not m.startswith("audit_log:")]
    assert leftovers == []
    stored = _stored(api)
    assert keys[0] not in stored and invoice not in stored.values()
    with pytest.raises(NotFoundError):
        api.service.store.get(keys[0])
    # The shared photo stays for the other organisation's claim, which still reads it.
    assert stored[keys[1]] == shared
    assert api.client.get(f"/v1/claims/{elsewhere['id']}/documents/{elsewhere['documents'][0]['id']}/file",
                          headers=other).content == shared
    with api.service.sessions() as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.claim_id == claim["id"])).all()
    assert "claim.erase" in [a.action for a in audit]
    # Another organisation cannot erase it, nor learn that it exists.
    assert api.client.delete(f"/v1/claims/{elsewhere['id']}", headers=org).status_code == 404


def test_the_cli_erases_and_retention_erases_claims_past_their_days(api: Api, backend) -> None:  # type: ignore[no-untyped-def]
    key = api.new_key()
    first = api.submit(key, [("invoice.pdf", invoice_pdf(number=f"{secrets.randbelow(10**10):010d}"))]).json()
    second = api.submit(key, [("invoice.pdf", invoice_pdf(number=f"{secrets.randbelow(10**10):010d}"))]).json()
    status = api.wait_assessed(key, first["id"])["status"]
    api.wait_assessed(key, second["id"])

    settings = api.service.settings
    env = {"CLAIM_INTAKE_DATA_DIR": str(settings.data_dir)}
    if settings.database_url:
        env |= {"CLAIM_INTAKE_DATABASE_URL": settings.database_url, "CLAIM_INTAKE_STORAGE_URL": settings.storage_url,
                "CLAIM_INTAKE_S3_ENDPOINT": settings.s3_endpoint, "CLAIM_INTAKE_S3_ACCESS_KEY": settings.s3_access_key,
                "CLAIM_INTAKE_S3_SECRET_KEY": settings.s3_secret_key.get_secret_value()}
    result = CliRunner().invoke(cli, ["erase", first["id"], "--yes"], env=env)
    assert result.exit_code == 0, result.output
    assert api.client.get(f"/v1/claims/{first['id']}", headers=key).status_code == 404

    assert apply_retention(api.service.sessions, api.service.store, None, [status]) == []
    erased = apply_retention(api.service.sessions, api.service.store, 1e-9, [status])
    assert second["id"] in [e.claim_id for e in erased]
    assert api.client.get(f"/v1/claims/{second['id']}", headers=key).status_code == 404


def test_the_sweep_deletes_objects_no_document_refers_to(api: Api) -> None:
    orphan = api.service.store.put(b"%PDF-1.4 an upload whose request failed " + secrets.token_bytes(8))
    key = api.new_key()
    claim = api.submit(key, [("invoice.pdf", invoice_pdf(number=f"{secrets.randbelow(10**10):010d}"))]).json()
    api.wait_assessed(key, claim["id"])
    sweep_orphans(api.service.sessions, api.service.store, grace_s=3600)
    assert orphan in _stored(api)  # young: its request may still be committing its rows
    sweep_orphans(api.service.sessions, api.service.store, grace_s=-60)
    stored = _stored(api)
    assert orphan not in stored
    with api.service.sessions() as session:
        referenced = set(session.scalars(select(DocumentRow.sha256).where(DocumentRow.sha256.is_not(None))))
    assert referenced <= set(stored)


def test_the_embedded_service_runs_retention_itself(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """No beat in the embedded mode: the service's own periodic housekeeping erases a claim past
    its retention, and nothing has to be called."""
    settings = Settings(data_dir=tmp_path, retention_days=1 / 86400, retention_states=["complete", "needs_follow_up"],
                        queue=QueueOptions(housekeeping_every_s=0.3))
    client, api = start_api(settings)
    try:
        key = api.new_key()
        claim = api.submit(key, [("invoice.pdf", invoice_pdf(number=f"{secrets.randbelow(10**10):010d}"))]).json()
        wait_for(lambda: api.client.get(f"/v1/claims/{claim['id']}", headers=key).status_code == 404, timeout=20)
        with api.service.sessions() as session:
            audit = session.scalars(select(AuditEntry.api_key_id).where(AuditEntry.claim_id == claim["id"],
                                                                        AuditEntry.action == "claim.erase")).all()
        assert audit == ["retention"]
    finally:
        client.__exit__(None, None, None)
