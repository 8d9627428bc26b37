"""The ``claim-intake`` command."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from claim_intake.errors import ClaimIntakeError, NotFoundError
from claim_intake.intake.cli.eval import eval_command, eval_real_command
from claim_intake.intake.cli.output import (
    claim_json,
    print_claim,
    print_file,
    print_stored_claim,
    read_json,
)
from claim_intake.intake.roles import Role
from claim_intake.intake.settings import Settings
from claim_intake.pipeline import FileError, FileReport, assess_claim, read_upload

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from claim_intake.intake.store.db import StaffMember

app = typer.Typer(
    help="Pre-screens medical mutual-aid claim materials: reads uploads, extracts fields, flags gaps.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
stdout = Console()
stderr = Console(stderr=True)


def _fail(message: str) -> typer.Exit:
    stderr.print(f"[red]error:[/red] {message}")
    return typer.Exit(code=2)


def _expand(paths: list[Path]) -> list[Path]:
    """Folders stand for every file in them, in name order; hidden files are skipped."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")))
        elif path.exists():
            files.append(path)
        else:
            raise _fail(f"no such file or folder: {path}")
    if not files:
        raise _fail("no files to read")
    return files


def _read_all(files: list[Path], settings: Settings) -> Iterator[FileReport]:
    engine = settings.engine_factory()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
        disable=not stderr.is_terminal,
    ) as progress:
        task = progress.add_task("reading", total=len(files))
        for path in files:
            progress.update(task, description=f"reading {path.name}")
            try:
                data = path.read_bytes()
            except OSError as exc:
                yield FileReport(
                    file=str(path),
                    error=FileError(code="unreadable_file", reason="io_error", message=str(exc)),
                    seconds=0.0,
                )
            else:
                yield read_upload(str(path), data, settings.read, engine)
            progress.advance(task)


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _fail(f"{path}: {exc.strerror}") from exc


def _print_json(payload: object) -> None:
    typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))


@app.command()
def read(
    files: Annotated[list[Path], typer.Argument(help="Photos, scans or PDFs.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Show what each file contains: its documents and their fields."""
    try:
        settings = Settings()
        reports = list(_read_all(_expand(files), settings))
    except ClaimIntakeError as exc:
        raise _fail(f"{exc.code}: {exc.message}") from exc
    if as_json:
        _print_json(read_json(reports))
        return
    for report in reports:
        print_file(stdout, report)


@app.command()
def process(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (a folder = every file in it).")],
    claim_type: Annotated[str, typer.Option("--claim-type", help="inpatient, outpatient_special or accident.")],
    claimant_name: Annotated[
        str | None, typer.Option("--claimant-name", help="The claimant as enrolled; checked against the documents.")
    ] = None,
    claimant_id_number: Annotated[
        str | None, typer.Option("--claimant-id-number", help="The claimant's ID number, matched against --roster.")
    ] = None,
    claimant_unit: Annotated[
        str | None, typer.Option("--claimant-unit", help="The claimant's unit (工作单位), matched with the name.")
    ] = None,
    roster: Annotated[
        Path | None, typer.Option("--roster", help="A member roster (CSV or XLSX): match the claimant, estimate the benefit.")
    ] = None,
    benefit_rules: Annotated[
        Path | None, typer.Option("--benefit-rules", help="Benefit rule file (default: settings, else the demo's example figures).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Assess a claim: its documents, its findings, whether it is complete, and (with --roster or
    --benefit-rules) the member it is for and the benefit estimate."""
    from claim_intake.benefit.models import Claimant
    from claim_intake.benefit.rules import benefit_rules as load_benefit_rules
    from claim_intake.roster.identity import IdNumberError, normalise_id_number
    from claim_intake.roster.memory import MemoryRoster
    from claim_intake.roster.parse import read_roster

    try:
        settings = Settings()
        rules = settings.rule_set(claim_type)
        estimate = roster is not None or benefit_rules is not None or settings.benefit_rules is not None
        members = MemoryRoster([])
        if roster is not None:
            parsed = read_roster(_read_file(roster), roster.name)
            for problem in parsed.problems:
                stderr.print(f"[yellow]roster line {problem.line}:[/yellow] {problem.reason}", highlight=False)
            members = MemoryRoster.from_rows(parsed.rows)
        try:
            id_number = normalise_id_number(claimant_id_number) if claimant_id_number else None
        except IdNumberError as exc:
            raise _fail(f"--claimant-id-number: {exc}") from None
        reports = list(_read_all(_expand(paths), settings))
        claim = assess_claim(
            reports, rules, claimant_name, roster=members if estimate else None,
            claimant=Claimant(name=claimant_name, id_number=id_number, unit=claimant_unit),
            benefit_rules=load_benefit_rules(benefit_rules or settings.benefit_rules) if estimate else None,
        )
    except ClaimIntakeError as exc:
        raise _fail(f"{exc.code}: {exc.message}") from exc
    if as_json:
        _print_json(claim_json(claim))
        return
    print_claim(stdout, claim)


keys = typer.Typer(help="API keys: one or more per organisation.", no_args_is_help=True)
members = typer.Typer(help="The member roster (参保名单) of an organisation.", no_args_is_help=True)
app.add_typer(members, name="members")


@members.command("import")
def members_import(
    file: Annotated[Path, typer.Argument(help="The roster: CSV or XLSX, one enrolment a row, Chinese or English headers.")],
    org: Annotated[str, typer.Option("--org", help="The organisation's name.")],
    new_org: Annotated[bool, typer.Option("--new-org", help="Create the organisation (a new name is refused without it).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Import a roster: new members are added, changed ones updated (their history kept), the
    same file again changes nothing. Rows that cannot be used are listed with their line."""
    from claim_intake.intake.store.db import make_sessions, open_service_database
    from claim_intake.intake.store.members import import_roster, organisation_id
    from claim_intake.intake.store.migrate import upgrade
    from claim_intake.roster.parse import read_roster

    settings = Settings()
    try:
        parsed = read_roster(_read_file(file), file.name)
        db = open_service_database(settings)
        upgrade(db)
        with make_sessions(db).begin() as session:
            org_id = organisation_id(session, org, create=new_org)
            if org_id is None:
                raise NotFoundError(f"no organisation named {org!r}: check the name, or pass --new-org to create it")
            report = import_roster(session, org_id, parsed, source=file.name)
    except ClaimIntakeError as exc:
        raise _fail(f"{exc.code}: {exc.message}") from exc
    if as_json:
        _print_json(report.as_dict())
        return
    for problem in report.problems:
        stdout.print(f"[yellow]line {problem.line}:[/yellow] {problem.reason}", highlight=False)
    stdout.print(
        f"members: {report.members_added} added, {report.members_updated} updated, "
        f"{report.members_unchanged} unchanged; enrolments: {report.enrolments_added} added, "
        f"{report.enrolments_updated} updated; {len(report.problems)} row(s) not imported", highlight=False)
claims = typer.Typer(help="Stored claims (the service's database).", no_args_is_help=True)
app.add_typer(claims, name="claims")


@claims.command("show")
def claims_show(
    claim_id: Annotated[str, typer.Argument(help="The claim's id (clm_...).")],
    org: Annotated[str, typer.Option("--org", help="The organisation's name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the claim's JSON, as GET /v1/claims/{id} returns it.")] = False,
) -> None:
    """Show a stored claim: its status, the estimate and the staff decision (approved amount, by
    whom, when, the payout batch / the rejection's reason)."""
    from claim_intake.intake.api.schemas import ClaimOut
    from claim_intake.intake.api.views import claim_view
    from claim_intake.intake.store.claims import get_claim
    from claim_intake.intake.store.db import make_sessions, open_service_database
    from claim_intake.intake.store.members import organisation_id

    settings = Settings()
    try:
        with make_sessions(open_service_database(settings))() as session:
            org_id = organisation_id(session, org)
            if org_id is None:
                raise _fail(f"no organisation {org!r}")
            claim = ClaimOut.model_validate(claim_view(get_claim(session, org_id, claim_id)))
    except ClaimIntakeError as exc:
        raise _fail(f"{exc.code}: {exc.message}") from exc
    if as_json:
        typer.echo(claim.model_dump_json(indent=2))
        return
    print_stored_claim(stdout, claim)


db = typer.Typer(help="The service's database.", no_args_is_help=True)
staff = typer.Typer(help="Staff accounts of the review console (/console).", no_args_is_help=True)
storage = typer.Typer(help="The object store of the original uploads.", no_args_is_help=True)
app.add_typer(keys, name="keys")
app.add_typer(staff, name="staff")
app.add_typer(storage, name="storage")
app.add_typer(db, name="db")


@keys.command("create")
def keys_create(
    org: Annotated[str, typer.Option("--org", help="The organisation's name.")],
    new_org: Annotated[bool, typer.Option("--new-org", help="Create the organisation (a new name is refused without it).")] = False,
    staff_email: Annotated[str | None, typer.Option(
        "--staff", help="A staff member's own key: the API's approvals and payouts act as them, with their role.")] = None,
) -> None:
    """Create an API key for an organisation and print it. Only its hash is kept: copy it now."""
    from claim_intake.intake.auth import create_key
    from claim_intake.intake.console.accounts import staff_by_email
    from claim_intake.intake.store.db import make_sessions, open_service_database
    from claim_intake.intake.store.migrate import upgrade

    settings = Settings()
    db = open_service_database(settings)
    upgrade(db)
    try:
        with make_sessions(db).begin() as session:
            member = staff_by_email(session, org, staff_email) if staff_email else None
            key = create_key(session, org, member.id if member else None, new_organisation=new_org)
    except ClaimIntakeError as exc:
        raise _fail(f"{exc.code}: {exc.message}") from exc
    typer.echo(key)


@staff.command("create")
def staff_create(
    org: Annotated[str, typer.Option("--org", help="The organisation's name; created when new.")],
    email: Annotated[str, typer.Option("--email", help="The login name.")],
    role: Annotated[Role, typer.Option("--role", help="reviewer: follows claims up; approver: also approves and pays; admin: all.")] = Role.reviewer,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input (scripts).")
    ] = False,
) -> None:
    """Create a staff account for the review console."""
    from claim_intake.intake.console.accounts import create_staff
    from claim_intake.intake.store.db import make_sessions, open_service_database
    from claim_intake.intake.store.migrate import upgrade

    if password_stdin:
        password = typer.get_text_stream("stdin").readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    settings = Settings()
    db = open_service_database(settings)
    upgrade(db)
    try:
        with make_sessions(db).begin() as session:
            member = create_staff(session, org, email, password, role)
    except ClaimIntakeError as exc:
        raise _fail(exc.message) from exc
    stderr.print(f"staff account {member.email} ({member.role}) created for {org}")


@contextmanager
def _staff_member(email: str) -> Iterator[tuple[Session, StaffMember]]:
    """A staff account by login name, in a transaction that commits what the caller changes."""
    from sqlalchemy import select

    from claim_intake.intake.console.accounts import normalise_email
    from claim_intake.intake.store.db import StaffMember, make_sessions, open_service_database

    with make_sessions(open_service_database(Settings())).begin() as session:
        member = session.scalar(select(StaffMember).where(StaffMember.email == normalise_email(email)))
        if member is None:
            raise _fail(f"not_found: no staff account {email}")
        yield session, member


@staff.command("revoke-sessions")
def staff_revoke_sessions(email: Annotated[str, typer.Option("--email", help="The staff member's login name.")]) -> None:
    """End every console session of a staff member at once (a lost laptop, someone leaving)."""
    from claim_intake.intake.console.login_guard import revoke_sessions

    with _staff_member(email) as (session, member):
        ended = revoke_sessions(session, member.id)
    stderr.print(f"{ended} session(s) of {member.email} ended")


@staff.command("reset-two-step")
def staff_reset_two_step(email: Annotated[str, typer.Option("--email", help="The staff member's login name.")]) -> None:
    """Turn off a staff member's two-step login (a lost phone); they may turn it on again."""
    from claim_intake.intake.console import two_step

    with _staff_member(email) as (_, member):
        two_step.reset(member)
    stderr.print(f"two-step login of {member.email} turned off")


def _service_parts():  # type: ignore[no-untyped-def]
    from claim_intake.intake.store.db import make_sessions, open_service_database
    from claim_intake.intake.store.objects import open_store

    settings = Settings()
    return settings, make_sessions(open_service_database(settings)), open_store(settings)


@app.command()
def erase(claim_id: Annotated[str, typer.Argument(help="The claim's id (clm_...).")],
          yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False) -> None:
    """Erase a claim for good: its files, pages, text, fields and findings (the audit log keeps
    that it happened). Files shared with another claim stay for that claim."""
    from claim_intake.intake.erasure import erase_claim

    if not yes:
        typer.confirm(f"Erase claim {claim_id} and its files for good?", abort=True)
    _, sessions, store = _service_parts()
    try:
        done = erase_claim(sessions, store, claim_id, organisation_id=None, actor="cli")
    except ClaimIntakeError as exc:
        raise _fail(f"{exc.code}: {exc.message}") from exc
    stderr.print(f"claim {claim_id} erased: {done.documents} document(s), {done.objects_deleted} file(s) deleted, "
                 f"{done.objects_kept} shared file(s) kept")


@app.command()
def retention() -> None:
    """Erase the claims past CLAIM_INTAKE_RETENTION_DAYS and sweep files no claim refers to (what
    beat, or the embedded service itself, runs hourly; by hand or from cron when neither runs)."""
    from claim_intake.intake.erasure import apply_retention, sweep_orphans

    settings, sessions, store = _service_parts()
    try:
        erased = apply_retention(sessions, store, settings.retention_days, settings.retention_states)
        swept = sweep_orphans(sessions, store)
    except ClaimIntakeError as exc:
        raise _fail(f"{exc.code}: {exc.message}") from exc
    stderr.print(f"{len(erased)} claim(s) past retention erased, {swept} orphaned file(s) deleted")


@storage.command("rekey")
def storage_rekey() -> None:
    """Re-encrypt every stored original and the database's sealed values (OCR text, fields, ...)
    under the current key (the first of CLAIM_INTAKE_STORAGE_KEYS), after a key rotation or once
    keys are first set; then the old key can be dropped."""
    from claim_intake.intake.store.crypto import EncryptedStore
    from claim_intake.intake.store.migrate import upgrade
    from claim_intake.intake.store.reseal import reseal

    _, sessions, store = _service_parts()
    if not isinstance(store, EncryptedStore):
        raise _fail("configuration_error: CLAIM_INTAKE_STORAGE_KEYS is not set: nothing is encrypted")
    try:
        upgrade(sessions.kw["bind"])
        rows = reseal(sessions.kw["bind"])
        done = store.rekey()
    except ClaimIntakeError as exc:
        raise _fail(f"{exc.code}: {exc.message}") from exc
    stderr.print(f"{done} object(s) and {rows} database row(s) re-encrypted under key {store.keyring.current!r}")


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (upgrade to head)."""
    from claim_intake.intake.store.db import open_service_database
    from claim_intake.intake.store.migrate import upgrade

    settings = Settings()
    upgrade(open_service_database(settings))
    stderr.print(f"database at head: {settings.resolved_database_url}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Run the HTTP API (OpenAPI at /docs), the staff console (/console) and claimant links.

    Uploads are read in this process, in the background, unless CLAIM_INTAKE_BROKER_URL is set:
    then they are queued for `claim-intake worker` processes.
    """
    import gc

    import uvicorn

    from claim_intake.intake.api.app import create_app

    api = create_app(Settings())
    # What is set up by now (modules, models, schemas: some 260,000 objects) lives as long as the
    # process: kept out of the collector's generations, a full collection during a burst of
    # uploads walks only what the requests made. It walked everything, 0.1-0.5 s with every
    # request stalled, in the middle of the burst it was measured on (benchmarks/burst.py).
    gc.collect()
    gc.freeze()
    uvicorn.run(api, host=host, port=port, log_level="info")


app.command("eval")(eval_command)
app.command("eval-real")(eval_real_command)


@app.command()
def worker(
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", "-c", min=1, help="Reading processes; default one per core.")
    ] = None,
    loglevel: Annotated[str, typer.Option(help="Celery's log level.")] = "INFO",
) -> None:
    """Read and assess documents queued by the API (needs CLAIM_INTAKE_BROKER_URL).
    Processes x ONNX threads stay within the cores unless CLAIM_INTAKE_READ__RAPIDOCR__THREADS is set."""
    import os

    from claim_intake.intake.distributed import celery_app, per_process_threads
    from claim_intake.workers.celery_app import QUEUE

    processes = concurrency or os.cpu_count() or 1
    try:
        celery = celery_app(per_process_threads(Settings(), processes))
    except ClaimIntakeError as exc:
        raise _fail(f"{exc.code}: {exc.message}") from exc
    celery.worker_main(["worker", "--pool=prefork", f"--concurrency={processes}", f"--loglevel={loglevel}",
                        f"--queues={QUEUE}"])


@app.command("webhook-worker")
def webhook_worker(
    concurrency: Annotated[int, typer.Option("--concurrency", "-c", min=1, help="Deliveries at once.")] = 4,
    loglevel: Annotated[str, typer.Option(help="Celery's log level.")] = "INFO",
) -> None:
    """Deliver webhooks queued by the workers, on their own queue: a slow or dead receiver never
    takes a reading slot. Threads, not processes: deliveries wait on the network."""
    from claim_intake.intake.distributed import celery_app
    from claim_intake.workers.celery_app import WEBHOOK_QUEUE

    try:
        celery = celery_app(Settings())
    except ClaimIntakeError as exc:
        raise _fail(f"{exc.code}: {exc.message}") from exc
    celery.worker_main(["worker", "--pool=threads", f"--concurrency={concurrency}", f"--loglevel={loglevel}",
                        f"--queues={WEBHOOK_QUEUE}", "--hostname=webhooks@%h"])


@app.command()
def beat(loglevel: Annotated[str, typer.Option(help="Celery's log level.")] = "INFO") -> None:
    """Schedule the reconciler (lost work handed out again) on the workers. Run exactly one."""
    from claim_intake.intake.distributed import celery_app

    settings = Settings()
    try:
        celery = celery_app(settings)
    except ClaimIntakeError as exc:
        raise _fail(f"{exc.code}: {exc.message}") from exc
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    schedule = settings.data_dir / "celerybeat-schedule"
    celery.start(["beat", f"--loglevel={loglevel}", f"--schedule={schedule}"])


@app.command()
def reconcile() -> None:
    """Hand out lost work once, now (what beat schedules periodically)."""
    from claim_intake.intake.distributed import reconcile_once

    try:
        done = reconcile_once(Settings())
    except ClaimIntakeError as exc:
        raise _fail(f"{exc.code}: {exc.message}") from exc
    stderr.print(f"handed out {done.documents} document(s), {done.claims} claim(s) to assess")
