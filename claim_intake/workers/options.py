"""The workers' own settings; the edge (intake.settings) composes them as ``queue``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class QueueOptions(BaseModel):
    """Leases, time limits and retries of the jobs, in both the embedded and the Celery mode.

    Environment: ``CLAIM_INTAKE_QUEUE__LEASE_S=60`` and so on."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lease_s: float = Field(default=60.0, gt=0)
    """A reader holds its document this long and renews it every third of it while it reads: a
    reader that stops renewing (killed) loses the document to the next one."""
    queue_lease_s: float = Field(default=1800.0, gt=0)
    """A document handed to the broker and not started within this is presumed lost (the broker
    forgot its queue) and handed out again. Longer than the longest expected queue wait: a
    document handed out twice is read once, but the extra message costs a look-up."""
    reconcile_every_s: float = Field(default=30.0, gt=0)
    """How often lost work is looked for (celery beat; a thread in the embedded mode)."""
    housekeeping_every_s: float = Field(default=3600.0, gt=0)
    """How often retention and the orphan sweep run (celery beat, or the embedded service)."""
    soft_time_limit_s: float = Field(default=300.0, gt=0)
    """A read that takes longer is abandoned and the document recorded as unreadable."""
    time_limit_s: float = Field(default=360.0, gt=0)
    """The child process is killed past this (a read stuck in native code)."""
    max_reads: int = Field(default=5, ge=1)
    """A document whose reads keep dying (killed past the time limit, a crashing decoder) is
    given up after this many and assessed as an unreadable file, instead of being handed out
    for ever."""
    retry_backoff_s: float = Field(default=2.0, gt=0)
    """First wait before a retry of a retryable error; doubles each time."""
    retry_backoff_max_s: float = Field(default=120.0, gt=0)
    max_memory_per_child_mb: int = Field(default=1500, ge=100)
    """A worker child using more than this after a task is replaced (the OCR model is loaded again)."""

    @model_validator(mode="after")
    def _limits_in_order(self) -> QueueOptions:
        if self.time_limit_s <= self.soft_time_limit_s:
            raise ValueError("time_limit_s must be longer than soft_time_limit_s")
        return self

    def backoff_s(self, retries: int) -> float:
        """The wait before retry number ``retries + 1``."""
        return min(self.retry_backoff_s * 2**retries, self.retry_backoff_max_s)
