"""The reading policy both executors follow: outages wait, files that kill their reader are given
up as unreadable, bugs are internal errors for staff."""

from __future__ import annotations

import pytest

from claim_intake.errors import (
    CorruptFileError,
    DatabaseUnavailableError,
    OcrEngineError,
    ReadTimeoutError,
    StorageUnavailableError,
)
from claim_intake.workers.policy import Action, ReadPolicy

POLICY = ReadPolicy(attempts=3, backoff_s=2.0, backoff_max_s=10.0)


@pytest.mark.parametrize("outage", [StorageUnavailableError("s3 down"), DatabaseUnavailableError("pg down")])
def test_an_outage_is_retried_for_as_long_as_it_lasts_and_not_counted(outage: Exception) -> None:
    decisions = [POLICY.decide(outage, tries) for tries in (1, 2, 3, 50)]
    assert [d.action for d in decisions] == [Action.retry] * 4
    assert not any(d.counted for d in decisions)
    assert [d.wait_s for d in decisions] == [2.0, 4.0, 8.0, 10.0]


def test_an_engine_failure_is_tried_again_then_the_file_given_up() -> None:
    error = OcrEngineError("onnxruntime failed on page 2")
    assert [POLICY.decide(error, t).action for t in (1, 2, 3)] == [Action.retry, Action.retry, Action.give_up]
    assert POLICY.decide(error, 1).counted
    given_up = POLICY.decide(error, 3).error
    assert given_up is not None and (given_up.code, given_up.reason) == ("unreadable_file", "ocr_engine_error")


def test_a_file_that_stalls_its_reader_is_an_unreadable_file() -> None:
    decision = POLICY.decide(ReadTimeoutError("reading took longer than 300 s"), 1)
    assert decision.action is Action.give_up
    assert decision.error is not None and (decision.error.code, decision.error.reason) == ("unreadable_file", "read_timeout")
    corrupt = POLICY.decide(CorruptFileError("bad"), 1).error
    assert corrupt is not None and corrupt.reason == "corrupt_file"


@pytest.mark.parametrize("bug", [KeyError("doc_type"), ZeroDivisionError("division by zero"), ValueError("x")])
def test_a_bug_is_an_internal_error_never_an_unreadable_file(bug: Exception) -> None:
    decision = POLICY.decide(bug, 1)
    assert decision.action is Action.give_up
    assert decision.error is not None and decision.error.code == "internal_error" and decision.error.reason is None
    assert type(bug).__name__ in decision.error.message
