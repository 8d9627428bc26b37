"""``claim-intake eval``: the pipeline scored on a corpus, optionally against a baseline."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from claim_intake.evaluation.baseline import compare
from claim_intake.evaluation.real import evaluate_real, load_labels
from claim_intake.evaluation.run import evaluate
from claim_intake.intake.settings import Settings
from claim_intake.ocr.replay import ReplayEngine

DEFAULT_CORPUS = Path("samples/corpus")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _print(console: Console, report: dict) -> None:
    console.print(
        f"[bold]{report['bundles']} bundles, {report['pages']} pages[/bold]   "
        f"doc type accuracy [bold]{_pct(report['doc_type_accuracy'])}[/bold]   "
        f"field accuracy [bold]{_pct(report['field_accuracy'])}[/bold]"
    )
    speed = report["seconds_per_page"]
    console.print(
        f"seconds per page: median {speed['median']:.2f}, p95 {speed['p95']:.2f}   "
        f"pages per minute {report['pages_per_minute']:.1f}   peak RSS {report['peak_rss_mb']:.0f} MB"
    )
    captures = Table(title="by capture", title_justify="left")
    for column in ("capture", "documents", "doc type", "fields"):
        captures.add_column(column, justify="left" if column == "capture" else "right")
    for capture, values in report["per_capture"].items():
        captures.add_row(capture, str(values["documents"]), _pct(values["doc_type_accuracy"]), _pct(values["field_accuracy"]))
    console.print(captures)
    fields = Table(title="by field", title_justify="left")
    fields.add_column("field")
    fields.add_column("exact match", justify="right")
    for name, rate in report["per_field"].items():
        fields.add_row(name, _pct(rate))
    console.print(fields)
    findings = Table(title="findings", title_justify="left")
    for column in ("code", "expected", "found", "precision", "recall"):
        findings.add_column(column, justify="left" if column == "code" else "right")
    for code, values in report["findings"].items():
        findings.add_row(code, str(values["expected"]), str(values["found"]), _pct(values["precision"]), _pct(values["recall"]))
    console.print(findings)
    console.print(
        f"bundles with the right status: {_pct(report['status_accuracy'])}   "
        f"findings no bundle expected: {report['unexpected_findings']}"
    )


def eval_command(
    corpus: Annotated[Path, typer.Argument(help="A folder of bundles, each with <bundle>.expected.json beside it.")] = DEFAULT_CORPUS,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="A stored `eval --json` run to compare with.")] = None,
    tolerance: Annotated[float, typer.Option(help="Allowed drop of any accuracy, absolute.")] = 0.01,
    speed_tolerance: Annotated[float, typer.Option(help="Allowed growth of the median seconds per page, relative.")] = 0.3,
    show_misses: Annotated[bool, typer.Option("--misses", help="List every wrong value and finding.")] = False,
    replay: Annotated[
        Path | None,
        typer.Option(help="Replay recorded OCR answers (tests/recordings/*.json) instead of running OCR: "
                     "scores extraction and rule changes in seconds; speed figures are then meaningless."),
    ] = None,
) -> None:
    """Score the whole pipeline on a corpus: doc types, fields, findings, speed."""
    settings = Settings()
    engine = settings.engine_factory()
    if replay is not None:
        recorded = ReplayEngine(replay)
        engine = lambda: recorded
    console = Console(stderr=as_json)
    with console.status("evaluating") as status:
        report = evaluate(
            corpus,
            settings.read,
            engine,
            settings.rule_set,
            on_bundle=lambda bundle: status.update(f"evaluating {bundle.name}"),
        )
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print(console, report)
        if show_misses:
            for miss in report["misses"]:
                console.print(f"  {miss}", highlight=False)
    if baseline is None:
        return
    changes = compare(json.loads(baseline.read_text(encoding="utf-8")), report, tolerance, speed_tolerance)
    table = Table(title=f"against {baseline}", title_justify="left")
    for column in ("metric", "before", "after", ""):
        table.add_column(column)
    for change in changes:
        fmt = (lambda v: "—" if v is None else f"{v:.3f}")
        if change.regressed or change.before != change.after:
            table.add_row(escape(change.metric), fmt(change.before), fmt(change.after), "[red]REGRESSION[/red]" if change.regressed else "")
    Console(stderr=True).print(table)
    if any(change.regressed for change in changes):
        raise typer.Exit(code=1)


def _real_dev_dir() -> Path:
    return Path(os.environ.get("REAL_DEV_DIR") or Path.home() / "real-dev")


def eval_real_command(
    images: Annotated[
        Path | None,
        typer.Argument(help="The folder of real images (default $REAL_DEV_DIR, else ~/real-dev). Keep it outside the repository."),
    ] = None,
    labels: Annotated[
        Path | None,
        typer.Option(help="The labels file (default labels.json in the images folder, else $REAL_DEV_LABELS)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    show_misses: Annotated[bool, typer.Option("--misses", help="List every wrong value.")] = False,
    replay: Annotated[
        Path | None,
        typer.Option(help="Replay OCR answers recorded with --record: scores an extraction change in seconds."),
    ] = None,
    record: Annotated[
        Path | None,
        typer.Option(help="Run the real engine and record its answers here (outside the repository: they hold the bills' text)."),
    ] = None,
) -> None:
    """Score `read` on real images against their labels: doc types, key fields, a table of misses."""
    folder = images or _real_dev_dir()
    labels_path = labels or (
        folder / "labels.json" if (folder / "labels.json").is_file() else Path(os.environ.get("REAL_DEV_LABELS", ""))
    )
    if not labels_path.is_file():
        raise typer.BadParameter(f"no labels file: give --labels (looked for {folder / 'labels.json'} and $REAL_DEV_LABELS)")
    if replay is not None and record is not None:
        raise typer.BadParameter("--replay and --record exclude each other")
    settings = Settings()
    engine = settings.engine_factory()
    recorder: ReplayEngine | None = None
    if replay is not None:
        recorder = ReplayEngine(replay)
    elif record is not None:
        recorder = ReplayEngine(record, recorder=engine())
    if recorder is not None:
        engine = lambda: recorder
    console = Console(stderr=as_json)
    try:
        with console.status("evaluating") as status:
            report = evaluate_real(
                folder, load_labels(labels_path), settings.read, engine,
                on_image=lambda name: status.update(f"reading {name}"),
            )
    except FileNotFoundError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if record is not None and recorder is not None:
        recorder.save()
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    console.print(
        f"[bold]{report['images']} images[/bold]   doc type accuracy [bold]{_pct(report['doc_type_accuracy'])}[/bold]   "
        f"key-field exact match [bold]{_pct(report['key_field_accuracy'])}[/bold]   "
        f"seconds per page: median {report['seconds_per_page']['median']:.2f}"
    )
    if report["missing_images"]:
        console.print(f"[yellow]{len(report['missing_images'])} labelled images not found[/yellow]")
    table = Table(title="by field (* key field)", title_justify="left")
    for column in ("field", "right", "of", "exact match"):
        table.add_column(column, justify="left" if column == "field" else "right")
    for name, t in report["per_field"].items():
        marker = "*" if name in report["key_fields"] else ""
        table.add_row(f"{name}{marker}", str(t["right"]), str(t["total"]), _pct(t["rate"]))
    console.print(table)
    if show_misses:
        misses = Table(title="misses", title_justify="left")
        for column in ("file", "field", "expected", "found"):
            misses.add_column(column, overflow="fold")
        for miss in report["misses"]:
            misses.add_row(miss["file"][:12], miss["field"], repr(miss["expected"]), repr(miss["found"]))
        console.print(misses)
