"""Seconds to import a roster of N synthetic members (default 100,000), and to import it again.

Generates the roster (CSV, or XLSX with --xlsx), then times what `claim-intake members import`
does: read and check every row, compare with the stored members, write the differences. The
second import of the same file must change nothing. Prints the figures.

Usage: python benchmarks/roster_import.py [--members N] [--xlsx]
           [--database-url URL | --postgres ADMIN_URL]
Default database: SQLite in a temporary folder. --postgres makes (and drops) a throwaway database
on that server, e.g. --postgres postgresql://postgres@127.0.0.1:5432/postgres.
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from openpyxl import Workbook

from claim_intake.intake.store.db import make_sessions, open_database
from claim_intake.intake.store.members import import_roster, organisation_id
from claim_intake.intake.store.migrate import upgrade
from claim_intake.roster.parse import read_roster
from claim_intake.samples.roster import HEADER, members, write_csv


@contextmanager
def postgres(admin_url: str) -> Iterator[str]:
    import psycopg

    name = f"bench_{secrets.token_hex(6)}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield admin_url.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + f"/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def write_xlsx(path: Path, count: int) -> None:
    # Not write_only: that writes inline strings, which read about twice as slowly as the shared
    # strings Excel (and WPS) save.
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in members(count):
        sheet.append(row)
    book.save(path)


def run(url: str, path: Path) -> None:
    db = open_database(url)
    upgrade(db)
    sessions = make_sessions(db)
    for attempt in ("import", "re-import"):
        started = time.perf_counter()
        parsed = read_roster(path.read_bytes(), path.name)
        read_s = time.perf_counter() - started
        with sessions.begin() as session:
            org = organisation_id(session, "bench", create=True)
            assert org is not None
            report = import_roster(session, org, parsed, source=path.name)
        total = time.perf_counter() - started
        print(f"{attempt:9s} {total:6.1f} s  (read and check {read_s:.1f} s, database {total - read_s:.1f} s)  "
              f"members +{report.members_added} ~{report.members_updated} ={report.members_unchanged}  "
              f"enrolments +{report.enrolments_added} ~{report.enrolments_updated}  bad rows {len(report.problems)}")
        if attempt == "re-import" and report.changed:
            raise SystemExit("re-import changed something: the import is not idempotent")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--xlsx", action="store_true", help="An XLSX roster instead of CSV.")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database-url")
    where.add_argument("--postgres", metavar="ADMIN_URL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("roster.xlsx" if args.xlsx else "roster.csv")
        started = time.perf_counter()
        if args.xlsx:
            write_xlsx(path, args.members)
        else:
            write_csv(path, members(args.members))
        print(f"{args.members} members, {path.suffix[1:]} {path.stat().st_size / 1e6:.1f} MB, "
              f"generated in {time.perf_counter() - started:.1f} s")
        if args.postgres:
            with postgres(args.postgres) as url:
                print(f"database: PostgreSQL ({args.postgres.rsplit('@', 1)[-1]})")
                run(url, path)
        else:
            url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
            print(f"database: {url.split(':', 1)[0]}")
            run(url, path)


if __name__ == "__main__":
    main()
