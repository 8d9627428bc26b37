"""Runs the pipeline over every bundle of a corpus and scores it."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from claim_intake.evaluation.score import Scores, percentile
from claim_intake.evaluation.truth import Bundle, EarlierInvoices, load_corpus
from claim_intake.ocr.options import ReadOptions
from claim_intake.ocr.reader import EngineFactory
from claim_intake.pipeline import FileReport, assess_claim, read_upload
from claim_intake.validators.models import ClaimStatus
from claim_intake.validators.ruleset import RuleSet


def _found(reports: dict[str, FileReport], file: str, page: int) -> tuple[str, dict[str, object]] | None:
    report = reports.get(file)
    if report is None:
        return None
    for document in report.documents:
        if page in document.pages:
            return document.doc_type.value, {name: f.value for name, f in document.fields.items()}
    return None


def evaluate(
    root: Path,
    options: ReadOptions,
    engine: EngineFactory,
    rules: Callable[[str], RuleSet],
    on_bundle: Callable[[Bundle], None] = lambda _: None,
) -> dict[str, Any]:
    bundles = load_corpus(root)
    if not bundles:
        raise FileNotFoundError(f"no bundles with ground truth (<bundle>.expected.json) under {root}")
    scores = Scores()
    page_seconds: list[float] = []
    started = time.perf_counter()
    for bundle in bundles:
        on_bundle(bundle)
        reports: dict[str, FileReport] = {}
        for path in bundle.files:
            report = read_upload(path.name, path.read_bytes(), options, engine)
            reports[path.name] = report
            pages = max(len(report.pages), 1)
            page_seconds.extend([report.seconds / pages] * pages)
        claim = assess_claim(
            list(reports.values()),
            rules(bundle.claim_type),
            bundle.claimant_name,
            bundle.submitted_on,
            EarlierInvoices(bundle.earlier_invoices),
        )
        for truth in bundle.documents:
            scores.score_document(bundle.name, truth, _found(reports, truth.file, truth.pages[0]))
        scores.score_findings(
            bundle.name,
            bundle.findings,
            [(f.code.value, f.doc_type.value if f.doc_type else None) for f in claim.assessment.findings],
        )
        scores.score_status(bundle.name, bundle.findings, claim.assessment.status is ClaimStatus.complete)
    elapsed = time.perf_counter() - started
    return {
        "corpus": str(root),
        "bundles": len(bundles),
        "pages": len(page_seconds),
        "doc_type_accuracy": scores.doc_type.rate,
        "field_accuracy": scores.fields.rate,
        "per_field": {name: t.rate for name, t in sorted(scores.by_field.items())},
        "per_capture": {
            capture: {
                "doc_type_accuracy": scores.doc_type_by_capture[capture].rate,
                "field_accuracy": scores.fields_by_capture[capture].rate,
                "documents": scores.doc_type_by_capture[capture].total,
            }
            for capture in sorted(scores.doc_type_by_capture)
        },
        "findings": scores.findings_table(),
        "status_accuracy": scores.status.rate,
        "unexpected_findings": scores.unexpected_findings,
        "seconds_per_page": {
            "median": statistics.median(page_seconds) if page_seconds else None,
            "p95": percentile(page_seconds, 95),
        },
        "pages_per_minute": len(page_seconds) / elapsed * 60 if elapsed else None,
        # ru_maxrss is in KiB on Linux.
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "misses": scores.misses,
    }
