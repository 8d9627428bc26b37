"""The claim lifecycle's states and transitions, against a real (SQLite) database: every status
change is an allowed transition and leaves its row in the claim's history."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from claim_intake.errors import InvalidTransitionError
from claim_intake.intake import lifecycle
from claim_intake.intake.auth import Caller
from claim_intake.intake.lifecycle import TRANSITIONS, ClaimState
from claim_intake.intake.store import migrate
from claim_intake.intake.store.db import Organisation, StatusChange, make_sessions, open_database
from claim_intake.intake.uploads import Upload
from claim_intake.pipeline import ClaimReport, FileReport
from claim_intake.validators.models import Assessment, ClaimType


@pytest.fixture
def session(tmp_path):  # type: ignore[no-untyped-def]
    db = open_database(f"sqlite:///{tmp_path / 'claims.db'}")
    migrate.upgrade(db)
    with make_sessions(db)() as session:
        session.add(Organisation(id="org_1", name="南宁市总工会"))
        session.commit()
        yield session
    db.dispose()


CALLER = Caller("org_1", "key_1")
PHOTO = Upload(filename="invoice.jpg", source=io.BytesIO(b"..."), size=3, content_type="image/jpeg")


def _submitted(session):  # type: ignore[no-untyped-def]
    claim, queued = lifecycle.submit(session, CALLER, claim_type="inpatient", claimant_name=None, external_id=None,
                                     idempotency_key=None, uploads=[PHOTO], keys=["sha"], zone=ZoneInfo("UTC"))
    return claim, queued


def _assessed(session, claim, findings=()):  # type: ignore[no-untyped-def]
    report = ClaimReport(files=(FileReport(file="invoice.jpg", seconds=0.0),), documents=(),
                         assessment=Assessment(claim_type=ClaimType.inpatient, status="complete",
                                               findings=findings, rule_set_version="1"))
    return lifecycle.assess(session, claim, [(claim.documents[0].id, report.files[0])], report)


def test_the_transitions_table() -> None:
    assert TRANSITIONS[None] == {ClaimState.processing}
    assert TRANSITIONS[ClaimState.processing] == {ClaimState.needs_follow_up, ClaimState.complete}
    assert TRANSITIONS[ClaimState.needs_follow_up] == {ClaimState.processing, ClaimState.rejected}
    assert TRANSITIONS[ClaimState.complete] == {ClaimState.processing, ClaimState.approved, ClaimState.rejected}
    # Approved goes on to paid, or back to complete by a reversal; paid and rejected are final.
    assert TRANSITIONS[ClaimState.approved] == {ClaimState.paid, ClaimState.complete}
    assert TRANSITIONS[ClaimState.paid] == TRANSITIONS[ClaimState.rejected] == frozenset()


def test_a_claims_life_is_in_its_history(session) -> None:  # type: ignore[no-untyped-def]
    claim, queued = _submitted(session)
    assert claim.status == "processing" and queued == [claim.documents[0].id]
    change = _assessed(session, claim)
    assert (change.previous, change.status) == ("processing", "complete")
    change, queued = lifecycle.add_documents(session, CALLER, claim, [PHOTO], ["sha2"])
    assert (change.previous, change.status) == ("complete", "processing") and len(queued) == 1
    session.commit()
    history = session.scalars(select(StatusChange.status).where(StatusChange.claim_id == claim.id)
                              .order_by(StatusChange.id)).all()
    assert history == ["processing", "complete", "processing"]


def test_an_assessed_claim_is_not_assessed_again_without_a_change(session) -> None:  # type: ignore[no-untyped-def]
    claim, _ = _submitted(session)
    _assessed(session, claim)
    with pytest.raises(InvalidTransitionError):
        _assessed(session, claim)  # only a processing claim is assessed


def test_the_claimant_cannot_add_to_a_complete_claim(session) -> None:  # type: ignore[no-untyped-def]
    claim, _ = _submitted(session)
    _assessed(session, claim)
    with pytest.raises(InvalidTransitionError) as refused:
        lifecycle.add_documents(session, CALLER, claim, [PHOTO], ["sha2"], by_claimant=True)
    assert refused.value.http_status == 409
