"""The ``claim-intake`` command."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from claim_intake.errors import ClaimIntakeError
from claim_intake.intake.output import claim_json, print_claim, print_file, read_json
from claim_intake.intake.settings import Settings
from claim_intake.workers.pipeline import FileReport, FileError, assess_claim, read_upload

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
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Assess a claim: its documents, its findings, and whether it is complete."""
    try:
        settings = Settings()
        rules = settings.rule_set(claim_type)
        reports = list(_read_all(_expand(paths), settings))
        claim = assess_claim(reports, rules, claimant_name)
    except ClaimIntakeError as exc:
        raise _fail(f"{exc.code}: {exc.message}") from exc
    if as_json:
        _print_json(claim_json(claim))
        return
    print_claim(stdout, claim)
