"""0006_members on a database with claims: existing claims keep everything and have no member or
estimate yet; the roster tables come and go with the revision."""

from __future__ import annotations

from datetime import date

from alembic import command
from sqlalchemy import inspect, text

from claim_intake.intake.store.db import open_database
from claim_intake.intake.store.migrate import alembic_config


def _to(db, revision: str, down: bool = False) -> None:  # type: ignore[no-untyped-def]
    config = alembic_config()
    with db.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_upgrade_keeps_claims_and_downgrade_removes_the_roster(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = open_database(f"sqlite:///{tmp_path / 'claims.db'}")
    _to(db, "0005_finding_keys")
    with db.begin() as c:
        c.execute(text("INSERT INTO organisations (id, name, created_at) VALUES ('org_1', 'o', '2026-11-01')"))
        c.execute(text("INSERT INTO claims (id, organisation_id, claim_type, status, submitted_on, created_at, updated_at) "
                       "VALUES ('clm_1', 'org_1', 'inpatient', 'complete', :d, '2026-11-01', '2026-11-01')"),
                  {"d": date(2026, 11, 1)})
    _to(db, "0006_members")
    with db.connect() as c:
        row = c.execute(text("SELECT status, member_id, benefit, claimant_id_number, claimant_unit FROM claims")).one()
    assert tuple(row) == ("complete", None, None, None, None)
    assert {"members", "enrolments", "member_history"} <= set(inspect(db).get_table_names())
    _to(db, "0005_finding_keys", down=True)
    tables = set(inspect(db).get_table_names())
    assert not {"members", "enrolments", "member_history"} & tables
    assert "benefit" not in {c["name"] for c in inspect(db).get_columns("claims")}
    db.dispose()
