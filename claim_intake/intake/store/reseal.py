"""Re-sealing the database's personal data under the current key: after a key rotation, and to
seal what was stored in the clear before ``CLAIM_INTAKE_STORAGE_KEYS`` was set
(``claim-intake storage rekey``, with the stored originals)."""

from __future__ import annotations

from sqlalchemy import Column, Table, bindparam, select, update
from sqlalchemy.engine import Engine

from claim_intake.errors import ConfigurationError
from claim_intake.intake.store.db import Base, SealedJSON, SealedText, keyring_of
from claim_intake.intake.store.search import field_lookup

_BATCH = 500


def sealed_columns() -> list[tuple[Table, Column, list[Column]]]:
    """Every table with sealed columns: (table, its primary key, those columns)."""
    found = []
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, SealedText | SealedJSON)]
        if columns:
            (key,) = table.primary_key.columns
            found.append((table, key, columns))
    return found


def reseal(db: Engine) -> int:
    """Rewrites every sealed value under the keyring's current key, a batch per transaction
    (each row read, opened with whichever key sealed it, and written back); ID numbers' lookups
    are recomputed. Returns the rows rewritten."""
    keyring = keyring_of(db)
    if keyring is None:
        raise ConfigurationError("CLAIM_INTAKE_STORAGE_KEYS is not set: nothing to seal with")
    done = 0
    for table, key, columns in sealed_columns():
        extra = [table.c.name] if table.name == "fields" else []
        statement = update(table).where(key == bindparam("_key")).values(
            {c.name: bindparam(c.name, type_=c.type) for c in columns}
            | ({"lookup": bindparam("lookup")} if extra else {}))
        after = None
        while True:
            with db.begin() as connection:
                query = select(key, *columns, *extra).order_by(key).limit(_BATCH)
                rows = connection.execute(query if after is None else query.where(key > after)).all()
                if not rows:
                    break
                params = []
                for row in rows:
                    values = {"_key": row[0]} | {c.name: row[n + 1] for n, c in enumerate(columns)}
                    if extra:
                        values["lookup"] = field_lookup(row.name, row.value, keyring)
                    params.append(values)
                connection.execute(statement, params)
            after = rows[-1][0]
            done += len(rows)
    return done
