"""Which reader the embedded executor uses: the configured engine in a child process, or in its
own thread where it cannot be handed over (a test's engine) or the setting says so."""

from __future__ import annotations

import os

from claim_intake.ocr.engine import engine_factory
from claim_intake.ocr.options import ReadOptions
from claim_intake.pipeline import read_upload
from claim_intake.workers.executor import InProcessExecutor
from claim_intake.workers.jobs import JobContext
from claim_intake.workers.policy import ReadPolicy
from claim_intake.workers.read_process import ChildProcessReader


def _ctx(options: ReadOptions, factory) -> JobContext:
    return JobContext(store=object(), blobs=object(), read_options=options, engine_factory=factory,
                      rule_set=lambda claim_type: None)


def test_the_configured_engine_reads_in_a_child_process() -> None:
    options = ReadOptions()
    executor = InProcessExecutor(_ctx(options, engine_factory(options)), ReadPolicy())
    try:
        assert isinstance(executor.ctx.read, ChildProcessReader)
    finally:
        executor.shutdown()


def test_an_engine_passed_in_or_the_setting_off_reads_in_the_executors_thread() -> None:
    options = ReadOptions()
    passed_in = InProcessExecutor(_ctx(options, lambda: None), ReadPolicy())
    switched_off = ReadOptions(child_process=False)
    setting_off = InProcessExecutor(_ctx(switched_off, engine_factory(switched_off)), ReadPolicy())
    try:
        assert passed_in.ctx.read is read_upload
        assert setting_off.ctx.read is read_upload
    finally:
        passed_in.shutdown()
        setting_off.shutdown()


def _niceness(pid: int = 0) -> int:
    return os.getpriority(os.PRIO_PROCESS, pid)


def test_the_reading_processes_start_with_the_executor_below_the_apis_priority() -> None:
    """Lowered as soon as they exist, not once they have imported (seconds of CPU on a small
    server, taken from the uploads that woke them), and the service's own priority untouched."""
    own = _niceness()
    options = ReadOptions()
    executor = InProcessExecutor(_ctx(options, engine_factory(options)), ReadPolicy())
    try:
        executor.start()
        children = list(executor.ctx.read._pool._processes)  # type: ignore[attr-defined]
        assert len(children) == 1
        assert [_niceness(pid) for pid in children] == [min(19, own + 10)]
        assert _niceness() == own
    finally:
        executor.shutdown()
