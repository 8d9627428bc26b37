"""Waivers made when a finding about no document type was keyed by a hash of its message stay
waived after the upgrade that keys findings by what they are about."""

from __future__ import annotations

import hashlib
from datetime import date

from alembic import command
from sqlalchemy import text

from claim_intake.intake.lifecycle import finding_key
from claim_intake.intake.store.db import open_database
from claim_intake.intake.store.migrate import alembic_config

OLD_MESSAGE = "您上传的文件“空白.jpg”无法打开或识别。请重新拍照上传（JPG/PNG照片或PDF），确保文件完整、未加密。"


def _upgrade(db, revision: str) -> None:  # type: ignore[no-untyped-def]
    config = alembic_config()
    with db.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_old_waivers_are_re_keyed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = open_database(f"sqlite:///{tmp_path / 'claims.db'}")
    _upgrade(db, "0004_released_reads")
    old_unreadable = "unreadable_file||||" + hashlib.sha256(OLD_MESSAGE.encode()).hexdigest()[:16]
    with db.begin() as c:
        c.execute(text("INSERT INTO organisations (id, name, created_at) VALUES ('org_1', 'o', '2026-11-01')"))
        c.execute(text("INSERT INTO staff (id, organisation_id, email, password_hash, created_at) "
                       "VALUES ('stf_1', 'org_1', 'a@b.c', 'x', '2026-11-01')"))
        c.execute(text("INSERT INTO claims (id, organisation_id, claim_type, status, submitted_on, created_at, updated_at) "
                       "VALUES ('clm_1', 'org_1', 'inpatient', 'complete', :d, '2026-11-01', '2026-11-01')"),
                  {"d": date(2026, 11, 1)})
        for doc_id, name, status in (("doc_a", "发票.pdf", "read"), ("doc_b", "空白.jpg", "failed")):
            c.execute(text("INSERT INTO documents (id, claim_id, position, filename, size, status, parts, created_at) "
                           "VALUES (:id, 'clm_1', 0, :name, 1, :status, '[]', '2026-11-01')"),
                      {"id": doc_id, "name": name, "status": status})
        for key in (old_unreadable, "late_submission||||0123456789abcdef", "missing_document|discharge_summary||"):
            c.execute(text("INSERT INTO finding_waivers (claim_id, finding_key, reason, staff_id, at) "
                           "VALUES ('clm_1', :key, 'r', 'stf_1', '2026-11-01')"), {"key": key})
    _upgrade(db, "head")
    with db.connect() as c:
        keys = set(c.execute(text("SELECT finding_key FROM finding_waivers")).scalars())
    # What the findings of this claim are keyed by now.
    assert keys == {
        finding_key({"code": "unreadable_file", "documents": ["doc_b"]}),
        finding_key({"code": "late_submission"}),
        finding_key({"code": "missing_document", "doc_type": "discharge_summary"}),
    }
    db.dispose()
