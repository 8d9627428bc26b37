"""The database's personal data sealed with the storage keys (OCR text and lines, field values,
findings, history, bank accounts): on PostgreSQL the stored columns hold no plaintext of a known ID number,
account, name or invoice number, while the API, the search by ID number and the pages read them
back; a rotation re-seals every row under the new key, and rows stored in the clear are sealed."""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Iterator

import pytest
from conftest import throwaway_database
from materials import APPLICANT_ACCOUNT, APPLICANT_ID_NUMBER, application_form_pdf, invoice_pdf
from sqlalchemy import select, text
from typer.testing import CliRunner

from claim_intake.intake.cli.app import app as cli
from claim_intake.intake.settings import Settings
from claim_intake.intake.store.crypto import UnreadableObjectError, open_text
from claim_intake.intake.store.db import (
    ClaimRow,
    FieldRow,
    MemberRow,
    PageRow,
    make_sessions,
    new_id,
    open_service_database,
)
from claim_intake.intake.store.reseal import reseal, sealed_columns

from .conftest import start_api

SEALED_TABLES = {table.name: [c.name for c in columns] for table, _, columns in sealed_columns()}


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@pytest.fixture
def database(pg_admin_url: str) -> Iterator[str]:
    """A database of its own: the rotation below rewrites every row of it."""
    yield from throwaway_database(pg_admin_url)


def _raw_rows(settings: Settings, claim_id: str) -> dict[str, list[tuple]]:
    """The sealed tables' rows of the claim as PostgreSQL holds them (plain SQL, no keyring)."""
    of_claim = {
        "pages": "document_id IN (SELECT id FROM documents WHERE claim_id = :claim)",
        "fields": "document_id IN (SELECT id FROM documents WHERE claim_id = :claim)",
        "field_corrections": "document_id IN (SELECT id FROM documents WHERE claim_id = :claim)",
        "findings": "claim_id = :claim", "claim_events": "claim_id = :claim", "claims": "id = :claim",
    }
    with open_service_database(settings.model_copy(update={"storage_keys": {}})).connect() as connection:
        return {table: [tuple(r) for r in connection.execute(text(f"SELECT * FROM {table} WHERE {where}"),
                                                            {"claim": claim_id})]
                for table, where in of_claim.items()}


def test_stored_text_and_fields_hold_no_plaintext_and_read_back_then_rotate(database: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    old, new = _key(), _key()
    settings = Settings(data_dir=tmp_path, database_url=database, storage_keys={"old": old})
    assert set(SEALED_TABLES) == {"claims", "pages", "fields", "findings", "field_corrections", "claim_events",
                                  "members", "member_history", "member_claims", "staff"}
    number, name = f"{secrets.randbelow(10**10):010d}", "封存" + secrets.token_hex(3)
    client, api = start_api(settings)
    try:
        key = api.new_key()
        submitted = api.submit(key, [("application.pdf", application_form_pdf()),
                                     ("invoice.pdf", invoice_pdf(number=number, payer=name))])
        claim = api.wait_assessed(key, submitted.json()["id"])
        revealed = api.client.get(f"/v1/claims/{claim['id']}", params={"reveal": "true"}, headers=key).json()
        found = api.client.get("/v1/claims", params={"q": APPLICANT_ID_NUMBER}, headers=key).json()["items"]
        roster_account = "62170" + f"{secrets.randbelow(10**14):014d}"
        with api.service.sessions.begin() as session:
            organisation_id = session.scalar(select(ClaimRow.organisation_id).where(ClaimRow.id == claim["id"]))
            session.add(MemberRow(id=new_id("mem"), organisation_id=organisation_id, id_number="450103198001011234",
                                  name=name, account=roster_account))
        with api.service.sessions() as session:
            assert session.scalar(select(MemberRow.account).where(MemberRow.name == name)) == roster_account
            page_text = " ".join(session.scalars(select(PageRow.text).join(FieldRow, FieldRow.document_id
                                                                             == PageRow.document_id)).all())
    finally:
        client.__exit__(None, None, None)

    # Reads: the API, the search by ID number and the pages see the values.
    fields = {n: f["value"] for d in revealed["documents"] for n, f in d["fields"].items()}
    assert fields["id_number"] == APPLICANT_ID_NUMBER and fields["account_number"] == APPLICANT_ACCOUNT
    assert fields["invoice_number"] == number
    assert [c["id"] for c in found] == [claim["id"]]
    assert APPLICANT_ID_NUMBER in page_text and name in page_text

    # Storage: not one of them in the sealed tables' rows; every sealed value under the key "old".
    raw = _raw_rows(settings, claim["id"])
    with open_service_database(settings.model_copy(update={"storage_keys": {}})).connect() as connection:
        (stored_account,) = connection.execute(text("SELECT account FROM members WHERE organisation_id = "
                                                     "(SELECT organisation_id FROM claims WHERE id = :c)"),
                                               {"c": claim["id"]}).one()
    assert stored_account.startswith("enc1:") and roster_account not in stored_account
    assert raw["pages"] and raw["fields"] and raw["findings"]
    dump = repr(raw)
    for marker in (APPLICANT_ID_NUMBER, APPLICANT_ACCOUNT, APPLICANT_ID_NUMBER[-4:] + '"', name, number, "申请表"):
        assert marker not in dump, marker
    with open_service_database(settings.model_copy(update={"storage_keys": {}})).connect() as connection:
        stored = connection.execute(text("SELECT value, raw FROM fields WHERE document_id IN "
                                         "(SELECT id FROM documents WHERE claim_id = :c)"), {"c": claim["id"]}).all()
    assert all(v.startswith("enc1:") and v.endswith(":old") for row in stored for v in row)
    with pytest.raises(UnreadableObjectError):
        open_text(stored[0][0], None)

    # Rotation: the new key first, reseal, then the old key dropped: everything still reads.
    rotated = settings.model_copy(update={"storage_keys": Settings(storage_keys={"new": new, "old": old}).storage_keys})
    assert reseal(open_service_database(rotated)) >= len(stored)
    only_new = settings.model_copy(update={"storage_keys": Settings(storage_keys={"new": new}).storage_keys})
    with make_sessions(open_service_database(only_new))() as session:
        values = {f.name: f.value for f in session.scalars(select(FieldRow).where(FieldRow.name.in_(
            ["id_number", "invoice_number"])))}
    assert values == {"id_number": APPLICANT_ID_NUMBER, "invoice_number": number}
    with open_service_database(only_new).connect() as connection:
        assert all(v.endswith(":new") for (v,) in connection.execute(text("SELECT text FROM pages")))


def test_values_stored_in_the_clear_are_read_and_then_sealed_by_storage_rekey(database: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    plain = Settings(data_dir=tmp_path, database_url=database)
    client, api = start_api(plain)
    try:
        key = api.new_key()
        claim = api.wait_assessed(key, api.submit(key, [("application.pdf", application_form_pdf())]).json()["id"])
    finally:
        client.__exit__(None, None, None)
    assert APPLICANT_ID_NUMBER in repr(_raw_rows(plain, claim["id"])["fields"])  # before keys: in the clear

    secret = _key()
    keyed = plain.model_copy(update={"storage_keys": Settings(storage_keys={"k": secret}).storage_keys})
    client, api = start_api(keyed)
    try:
        # Read as they are, and found by ID number (the digest of a row stored in the clear).
        assert api.client.get(f"/v1/claims/{claim['id']}", params={"reveal": "true"}, headers=key).json()[
            "documents"][0]["fields"]["id_number"]["value"] == APPLICANT_ID_NUMBER
        result = CliRunner().invoke(cli, ["storage", "rekey"], env={
            "CLAIM_INTAKE_DATA_DIR": str(tmp_path), "CLAIM_INTAKE_DATABASE_URL": database,
            "CLAIM_INTAKE_STORAGE_KEYS": json.dumps({"k": secret})})
        assert result.exit_code == 0, result.output
        assert "database row(s) re-encrypted" in result.output
        assert APPLICANT_ID_NUMBER not in repr(_raw_rows(plain, claim["id"]))
        assert api.client.get(f"/v1/claims/{claim['id']}", params={"reveal": "true"}, headers=key).json()[
            "documents"][0]["fields"]["id_number"]["value"] == APPLICANT_ID_NUMBER
        found = api.client.get("/v1/claims", params={"q": APPLICANT_ID_NUMBER}, headers=key).json()["items"]
        assert [c["id"] for c in found] == [claim["id"]]
    finally:
        client.__exit__(None, None, None)
