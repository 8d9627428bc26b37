"""The sealed column types keep every JSON value as it was, sealed or in the clear, on SQLite too
(where a column created as JSON has numeric affinity and turns the text of a number into it)."""

from __future__ import annotations

import base64
import os
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text

from claim_intake.intake.settings import Settings
from claim_intake.intake.store.crypto import Keyring
from claim_intake.intake.store.db import (
    ClaimRow,
    DocumentRow,
    FieldRow,
    Organisation,
    make_sessions,
    new_id,
    open_database,
)
from claim_intake.intake.store.migrate import upgrade

VALUES = [123, 1.5, "0012", "450103199001011234", None, [1, "二"], {"amount": "12.30"}, True, "", "enc1"]


@pytest.mark.parametrize("sealed", [False, True])
def test_field_values_come_back_as_they_were_stored(tmp_path: Path, sealed: bool) -> None:
    keyring = Keyring.from_settings(Settings(storage_keys={"k": base64.urlsafe_b64encode(os.urandom(32)).decode()}))
    db = open_database(f"sqlite:///{tmp_path / 'claims.db'}", keyring=keyring if sealed else None)
    upgrade(db)
    sessions = make_sessions(db)
    with sessions.begin() as session:
        organisation = Organisation(id=new_id("org"), name="工会")
        session.add(organisation)
        session.flush()  # no relationship orders the claim after it
        claim = ClaimRow(id=new_id("clm"), organisation_id=organisation.id, claim_type="inpatient",
                         status="complete", submitted_on=date.today())
        document = DocumentRow(id=new_id("doc"), position=0, filename="a.pdf", size=1, status="read", parts=[])
        document.fields = [FieldRow(part=0, name=f"f{n}", value=v, raw=str(v), confidence=1.0)
                           for n, v in enumerate(VALUES)]
        claim.documents.append(document)
        session.add(claim)
    with sessions() as session:
        assert [f.value for f in session.scalars(select(FieldRow).order_by(FieldRow.id))] == VALUES
    with db.connect() as connection:
        stored = [v for (v,) in connection.execute(text("SELECT raw FROM fields ORDER BY id"))]
    assert all(v.startswith("enc1:") for v in stored) == sealed
