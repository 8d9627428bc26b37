"""The validation stage's entry point: a claim's documents -> an assessment."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from claim_intake.validators.checks import ALWAYS, OPTIONAL, Claim
from claim_intake.validators.messages import builtin_messages
from claim_intake.validators.models import (
    Assessment,
    ClaimDocument,
    ClaimStatus,
    InvoiceRegistry,
    PoorImage,
    Severity,
    UnreadableFile,
)
from claim_intake.validators.readings import noting_low_confidence, without_gaps_the_claim_fills
from claim_intake.validators.ruleset import RuleSet

_OPEN = (Severity.blocking, Severity.follow_up)


def assess(
    rules: RuleSet,
    documents: Sequence[ClaimDocument],
    unreadable: Sequence[UnreadableFile] = (),
    claimant_name: str | None = None,
    submitted_on: date | None = None,
    registry: InvoiceRegistry | None = None,
    poor_images: Sequence[PoorImage] = (),
) -> Assessment:
    """``submitted_on`` (default: today) dates the claim for deadlines; ``registry`` knows the
    invoices of earlier claims; ``poor_images``: photos to retake."""
    claim = Claim(
        rules,
        builtin_messages(),
        tuple(documents),
        tuple(unreadable),
        claimant_name,
        submitted_on or date.today(),
        registry,
        tuple(poor_images),
    )
    checks = ALWAYS + tuple(OPTIONAL[name] for name in rules.checks)
    found = without_gaps_the_claim_fills((f for check in checks for f in check(claim)), rules, documents)
    findings = tuple(noting_low_confidence(found, rules, documents, claim.messages))
    status = (
        ClaimStatus.needs_follow_up
        if any(f.severity in _OPEN for f in findings)
        else ClaimStatus.complete
    )
    return Assessment(
        claim_type=rules.claim_type,
        status=status,
        findings=findings,
        rule_set_version=rules.version,
    )
