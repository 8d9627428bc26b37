"""What sealing the database's personal data costs (``CLAIM_INTAKE_STORAGE_KEYS``): a claim's read
results written and read back through the ORM, with keys and without, on SQLite in a temporary
folder (or ``--database URL``).

A claim here: 4 documents, each with 25 fields and 2 pages of 60 OCR lines (text and box): about
what a real inpatient claim stores. Prints the median milliseconds to store one claim's rows and
to load them back (the claim page's query), each way, and the bytes of the sealed columns.

Usage: python benchmarks/column_encryption.py [--claims 40] [--database URL]
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from claim_intake.intake.settings import Settings
from claim_intake.intake.store.crypto import Keyring
from claim_intake.intake.store.db import (
    ClaimRow,
    DocumentRow,
    FieldRow,
    Organisation,
    PageRow,
    make_sessions,
    new_id,
    open_database,
)
from claim_intake.intake.store.migrate import upgrade

FIELDS, PAGES, LINES, DOCUMENTS = 25, 2, 60, 4


def _claim(organisation_id: str) -> ClaimRow:
    claim = ClaimRow(id=new_id("clm"), organisation_id=organisation_id, claim_type="inpatient", status="complete",
                     submitted_on=date.today())
    for d in range(DOCUMENTS):
        document = DocumentRow(id=new_id("doc"), position=d, filename=f"{d}.jpg", size=1, status="read", parts=[])
        document.fields = [FieldRow(part=0, name=f"field_{n}", value=f"4501031990010{n:05d}", raw=f"值 {n}",
                                    confidence=0.9, page=1, box=[1.0, 2.0, 3.0, 4.0]) for n in range(FIELDS)]
        document.pages = [PageRow(number=p + 1, source="image", width=2400, height=1800,
                                  text="\n".join(f"第{n}行 医疗费用 123.45" for n in range(LINES)),
                                  lines=[{"text": f"第{n}行 医疗费用 123.45", "confidence": 0.98,
                                          "box": [10.0, n * 20.0, 900.0, n * 20.0 + 18]} for n in range(LINES)])
                          for p in range(PAGES)]
        claim.documents.append(document)
    return claim


def _run(url: str, keyring: Keyring | None, claims: int) -> tuple[float, float, int]:
    db = open_database(url, keyring=keyring)
    upgrade(db)
    sessions = make_sessions(db)
    with sessions.begin() as session:
        organisation = Organisation(id=new_id("org"), name=new_id("bench"))
        session.add(organisation)
    writes, reads, ids = [], [], []
    for _ in range(claims):
        start = time.perf_counter()
        with sessions.begin() as session:
            claim = _claim(organisation.id)
            session.add(claim)
        writes.append(time.perf_counter() - start)
        ids.append(claim.id)
    for claim_id in ids:
        start = time.perf_counter()
        with sessions() as session:
            claim = session.scalar(select(ClaimRow).where(ClaimRow.id == claim_id).options(
                selectinload(ClaimRow.documents).selectinload(DocumentRow.fields),
                selectinload(ClaimRow.documents).selectinload(DocumentRow.pages)))
            assert claim is not None and len(claim.documents[0].pages[0].lines) == LINES
        reads.append(time.perf_counter() - start)
    with db.connect() as connection:
        stored = connection.execute(select(func.sum(func.length(PageRow.__table__.c.lines))
                                           + func.sum(func.length(PageRow.__table__.c.text)))).scalar_one()
    db.dispose()
    return statistics.median(writes) * 1000, statistics.median(reads) * 1000, int(stored) // claims


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=40)
    parser.add_argument("--database", help="a database URL (default: SQLite in a temporary folder)")
    args = parser.parse_args()
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    keyring = Keyring.from_settings(Settings(storage_keys={"bench": key}))
    with tempfile.TemporaryDirectory() as folder:
        for label, ring in (("in the clear", None), ("sealed", keyring)):
            url = args.database or f"sqlite:///{Path(folder) / (label.replace(' ', '_') + '.db')}"
            write_ms, read_ms, size = _run(url, ring, args.claims)
            print(f"{label:13} store a claim {write_ms:7.1f} ms   load it {read_ms:7.1f} ms   "
                  f"page text+lines {size / 1024:6.1f} KiB per claim")


if __name__ == "__main__":
    main()
