"""The reading policy, one for both executors (the embedded thread pool and the Celery tasks):
what a failed read leads to. Each executor only carries the decision out, with its own means of
waiting (a sleep, or a Celery retry with a countdown).

- Storage or the database unavailable: the service's fault, not the file's. Retried with backoff
  for as long as it lasts, the document handed back, and never counted as a failed read.
- The engine failing on a page (retryable): tried ``attempts`` times, then the file is given up.
- A file that keeps killing its reader (``max_reads`` reads died, or a read past its time limit):
  given up, and assessed as an ``unreadable_file``.
- Anything else is a bug: recorded on the document as ``internal_error`` for staff, and never
  shown to the claimant as a bad photo.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from claim_intake.errors import (
    ClaimIntakeError,
    DatabaseUnavailableError,
    StorageUnavailableError,
    UnreadableFileError,
)
from claim_intake.pipeline import INTERNAL_ERROR, FileError

UNAVAILABLE = (StorageUnavailableError, DatabaseUnavailableError)


class Action(StrEnum):
    retry = "retry"
    give_up = "give_up"


@dataclass(frozen=True)
class Decision:
    action: Action
    wait_s: float = 0.0
    counted: bool = True
    """False: the read is handed back uncounted (an outage), so it never adds up to giving up."""
    error: FileError | None = None
    """What the document records when it is given up."""


def internal_error(exc: BaseException) -> FileError:
    return FileError(code=INTERNAL_ERROR, message=f"internal error while reading: {type(exc).__name__}: {exc}")


@dataclass(frozen=True)
class ReadPolicy:
    attempts: int = 3
    """Tries of a read whose engine failed (a retryable error other than an outage)."""
    backoff_s: float = 2.0
    backoff_max_s: float = 120.0

    def wait_s(self, tries: int) -> float:
        """The wait after ``tries`` failed tries (1, 2, ...)."""
        return min(self.backoff_s * 2 ** (tries - 1), self.backoff_max_s)

    def decide(self, exc: BaseException, tries: int) -> Decision:
        """What to do after try number ``tries`` (1-based) failed with ``exc``."""
        if isinstance(exc, UNAVAILABLE):
            return Decision(Action.retry, self.wait_s(tries), counted=False)
        if isinstance(exc, UnreadableFileError):  # the file's own fault: a timeout, abandoned reads
            return Decision(Action.give_up, error=FileError.model_validate(exc.to_dict()))
        if isinstance(exc, ClaimIntakeError) and exc.retryable:
            if tries < self.attempts:
                return Decision(Action.retry, self.wait_s(tries))
            return Decision(Action.give_up, error=FileError(code="unreadable_file", reason=exc.code,
                                                            message=exc.message))
        return Decision(Action.give_up, error=internal_error(exc))

