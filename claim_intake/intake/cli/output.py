"""What the CLI prints: the JSON shapes callers rely on, and tables for people."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from claim_intake.intake.lifecycle import ClaimState, assessed_state
from claim_intake.pipeline import ClaimReport, FileReport

if TYPE_CHECKING:
    from claim_intake.benefit.models import Benefit
    from claim_intake.intake.api.schemas import ClaimOut


def read_json(reports: list[FileReport]) -> list[dict[str, Any]]:
    return [
        {
            "file": report.file,
            "error": report.error.model_dump(mode="json", exclude_none=True) if report.error else None,
            "documents": [d.export() for d in report.documents],
        }
        for report in reports
    ]


def claim_state(report: ClaimReport) -> ClaimState:
    """The state the lifecycle gives a claim so assessed (nothing waived: the CLI has no staff)."""
    return assessed_state(finding.model_dump(mode="json") for finding in report.assessment.findings)


def claim_json(report: ClaimReport) -> dict[str, Any]:
    assessment = report.assessment
    return {
        "claim_type": assessment.claim_type.value,
        "status": claim_state(report).value,
        "rule_set_version": assessment.rule_set_version,
        "documents": [
            {"id": doc.id, **doc.document.export(), "source": {"file": doc.file, "page": doc.document.pages[0]}}
            for doc in report.documents
        ],
        "findings": [finding.model_dump(mode="json") for finding in assessment.findings],
        "member_id": report.eligibility.member_id if report.eligibility else None,
        "benefit": report.eligibility.benefit.model_dump(mode="json")
        if report.eligibility and report.eligibility.benefit else None,
        "files": read_json(list(report.files)),
    }


def _field_text(value: object) -> str:
    return str(value) if not isinstance(value, list) else f"{len(value)} lines"


def print_file(console: Console, report: FileReport) -> None:
    if report.error:
        console.print(f"[bold]{report.file}[/bold]  [red]{report.error.code}[/red]: {report.error.message}")
        return
    pages = len(report.pages)
    console.print(
        f"[bold]{report.file}[/bold]  {pages} page(s), {report.seconds:.1f} s"
    )
    for document in report.documents:
        table = Table(
            title=f"{document.doc_type.value}  pages {','.join(map(str, document.pages))}"
            f"  confidence {document.confidence:.2f}",
            title_justify="left",
        )
        table.add_column("field")
        table.add_column("value")
        table.add_column("conf.", justify="right")
        table.add_column("page", justify="right")
        for name, field in document.fields.items():
            table.add_row(name, _field_text(field.value), f"{field.confidence:.2f}", str(field.page or ""))
        console.print(table)


def print_claim(console: Console, report: ClaimReport) -> None:
    assessment = report.assessment
    docs = Table(title="documents", title_justify="left")
    for column in ("id", "doc_type", "file", "pages", "fields"):
        docs.add_column(column)
    for doc in report.documents:
        docs.add_row(
            doc.id,
            doc.document.doc_type.value,
            Path(doc.file).name,
            ",".join(map(str, doc.document.pages)),
            str(len(doc.document.fields)),
        )
    console.print(docs)
    state = claim_state(report)
    colour = "green" if state is ClaimState.complete else "yellow"
    console.print(
        f"status: [bold {colour}]{state.value}[/]  "
        f"({assessment.claim_type.value}, rule set {assessment.rule_set_version})"
    )
    print_benefit(console, report)
    if not assessment.findings:
        console.print("no findings")
        return
    # Messages are long Chinese sentences: a block per finding reads better than a table.
    console.print(f"[bold]findings ({len(assessment.findings)})[/bold]")
    for finding in assessment.findings:
        colour = {"blocking": "red", "follow_up": "yellow"}.get(finding.severity.value, "blue")
        concerns = " ".join(
            part
            for part in (finding.doc_type.value if finding.doc_type else "", finding.field or "", *finding.documents)
            if part
        )
        console.print(f"[{colour}]●[/] [bold]{finding.code.value}[/bold] [{colour}]{finding.severity.value}[/]  {concerns}")
        console.print(f"    staff:    {finding.message_staff}", highlight=False)
        console.print(f"    claimant: {finding.message_claimant}", highlight=False)


def print_benefit(console: Console, report: ClaimReport) -> None:
    """The estimate, a step a line, each with where its value came from."""
    eligibility = report.eligibility
    if eligibility is None:
        return
    if eligibility.member_id:
        console.print(f"member: {eligibility.member_id} (matched by {eligibility.matched_by})", highlight=False)
    by_id = {doc.id: Path(doc.file).name for doc in report.documents}
    _print_estimate(console, eligibility.benefit, by_id)


def _print_estimate(console: Console, benefit: Benefit | None, files: dict[str, str]) -> None:
    if benefit is None:
        console.print("benefit: no estimate", highlight=False)
        return
    example = "  [yellow](example figures)[/yellow]" if benefit.example else ""
    console.print(f"benefit: [bold]¥{benefit.amount}[/bold]  {benefit.plan}, rules {benefit.rule_set_version}{example}",
                  highlight=False)
    table = Table(title="calculation", title_justify="left")
    for column in ("step", "value", "source"):
        table.add_column(column, justify="right" if column == "value" else "left")
    for step in benefit.steps:
        source = f"{step.source} ({files.get(step.document, step.document)})" if step.document else step.source
        table.add_row(step.name, step.value, source)
    console.print(table)


def print_stored_claim(console: Console, claim: ClaimOut) -> None:
    """A stored claim for people: its status, the estimate with its steps, and staff's decision."""
    console.print(f"claim {claim.id}  [bold]{claim.status}[/bold]  {claim.claimant_name or ''}", highlight=False)
    if claim.member_id:
        console.print(f"member: {claim.member_id}", highlight=False)
    _print_estimate(console, claim.benefit, {d.id: d.filename for d in claim.documents})
    decision = claim.decision
    if decision is None:
        console.print("decision: none yet", highlight=False)
        return
    at = decision.at.isoformat(timespec="seconds") if decision.at else "?"
    if decision.outcome == "rejected":
        console.print(f"decision: rejected by {decision.by} at {at}: {decision.reason}", highlight=False)
        return
    estimate = f" (estimate ¥{decision.estimate})" if decision.estimate else ""
    reason = f": {decision.reason}" if decision.reason else ""
    console.print(f"decision: approved [bold]¥{decision.approved_amount}[/bold]{estimate} by {decision.by} at {at}{reason}",
                  highlight=False)
    if decision.batch_id:
        paid = (f", paid by {decision.paid_by} at {decision.paid_at.isoformat(timespec='seconds')}"
                if decision.paid_at else ", not paid yet")
        console.print(f"payout batch: {decision.batch_id}{paid}", highlight=False)
