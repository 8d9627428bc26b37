"""The payout migration on a database with staff from before roles: they become admins (they could
do everything before), and it goes down again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from claim_intake.intake.store.db import open_database
from claim_intake.intake.store.migrate import alembic_config


def _run(db, step, revision: str) -> None:  # type: ignore[no-untyped-def]
    config = alembic_config()
    with db.begin() as connection:
        config.attributes["connection"] = connection
        step(config, revision)


def test_existing_staff_become_admins_and_the_migration_goes_down(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = open_database(f"sqlite:///{tmp_path / 'claims.db'}")
    _run(db, command.upgrade, "0005_finding_keys")
    with db.begin() as c:
        c.execute(text("INSERT INTO organisations (id, name, created_at) VALUES ('org_1', 'o', '2026-11-01')"))
        c.execute(text("INSERT INTO staff (id, organisation_id, email, password_hash, created_at) "
                       "VALUES ('stf_1', 'org_1', 'a@b.c', 'x', '2026-11-01')"))
    _run(db, command.upgrade, "0007_payout")
    with db.connect() as c:
        assert c.execute(text("SELECT role FROM staff")).scalar_one() == "admin"
    assert {"payout_batches", "payout_batch_claims"} <= set(inspect(db).get_table_names())
    _run(db, command.downgrade, "0005_finding_keys")
    assert "payout_batches" not in inspect(db).get_table_names()
    assert "role" not in {c["name"] for c in inspect(db).get_columns("staff")}
    db.dispose()
