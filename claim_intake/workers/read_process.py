"""Reading in a child process for the embedded executor.

OCR and extraction hold the GIL for much of a page (image steps, decoding, parsing); in a thread
of the API process they slow every request the API answers meanwhile. A child process has its
own interpreter: the API keeps its GIL and stays quick while documents are read. The child loads
its engine on first use and keeps it, as a worker does.

The children run at a lower priority than the API from their first instruction: a freshly
spawned child spends seconds of CPU importing before it can run an initializer, and on a small
server those seconds came out of the acknowledgements of the uploads that woke it. The service
starts them with itself (``start``), so that the first uploads do not wait on a spawn either.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from claim_intake.errors import OcrEngineError
from claim_intake.ocr.engine import ConfiguredEngine
from claim_intake.ocr.options import ReadOptions
from claim_intake.pipeline import FileReport, read_upload

log = logging.getLogger(__name__)

_NICENESS = 10
"""Reading is background work: on a small server the API's answers come first for the CPU."""
_LOWEST = 19


def _background_niceness() -> int:
    return min(_LOWEST, os.getpriority(os.PRIO_PROCESS, 0) + _NICENESS)


def _lower_priority(niceness: int, pid: int = 0) -> None:
    """Lowers a process (0: this one) to ``niceness``; never raises it (that needs privileges)."""
    if os.getpriority(os.PRIO_PROCESS, pid) < niceness:
        os.setpriority(os.PRIO_PROCESS, pid, niceness)


def _lower_children(pool: ProcessPoolExecutor, niceness: int) -> None:
    """The pool's processes, lowered by the parent as soon as they exist. ``_processes`` is the
    executor's own table; should it ever go, the children still lower themselves (the pool's
    initializer), only later."""
    for pid in list(getattr(pool, "_processes", None) or ()):
        try:
            _lower_priority(niceness, pid)
        except (ProcessLookupError, PermissionError):
            pass  # gone already: the pool replaces it


class ChildProcessReader:
    """``read_upload`` with the same arguments, run in a pool of ``workers`` child processes."""

    def __init__(self, workers: int = 1) -> None:
        self._workers = workers
        self._niceness = _background_niceness()
        self._lock = threading.Lock()
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        # Spawned, not forked: a fork of a threaded server can inherit held locks, and ONNX
        # Runtime sessions must be created after the fork anyway.
        return ProcessPoolExecutor(
            max_workers=self._workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_lower_priority, initargs=(self._niceness,),
        )

    def start(self) -> None:
        """Spawns the reading processes now (the first read would), at their lower priority."""
        with self._lock:
            pool = self._pool
        pool.submit(os.getpid)  # a spawn-context pool starts all its processes at its first job
        _lower_children(pool, self._niceness)

    def __call__(self, name: str, data: bytes, options: ReadOptions, engine: ConfiguredEngine) -> FileReport:
        with self._lock:
            pool = self._pool
        try:
            future = pool.submit(read_upload, name, data, options, engine)
            _lower_children(pool, self._niceness)  # a pool replaced after a crash starts here
            return future.result()
        except BrokenProcessPool as exc:
            # The child died (killed, out of memory): a fresh one takes the next try.
            with self._lock:
                if self._pool is pool:
                    self._pool = self._new_pool()
            log.warning("the reading process died while reading %s; starting a new one", name)
            raise OcrEngineError(f"the reading process died: {exc}") from exc

    def shutdown(self) -> None:
        with self._lock:
            self._pool.shutdown(wait=True, cancel_futures=True)
