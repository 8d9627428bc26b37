"""Reading in a child process for the embedded executor.

OCR and extraction hold the GIL for much of a page (image steps, decoding, parsing); in a thread
of the API process they slow every request the API answers meanwhile. A child process has its
own interpreter: the API keeps its GIL and stays quick while documents are read. The child loads
its engine on first use and keeps it, as a worker does.
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


def _lower_priority() -> None:
    os.nice(_NICENESS)


class ChildProcessReader:
    """``read_upload`` with the same arguments, run in a pool of ``workers`` child processes."""

    def __init__(self, workers: int = 1) -> None:
        self._workers = workers
        self._lock = threading.Lock()
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        # Spawned, not forked: a fork of a threaded server can inherit held locks, and ONNX
        # Runtime sessions must be created after the fork anyway.
        return ProcessPoolExecutor(
            max_workers=self._workers, mp_context=multiprocessing.get_context("spawn"), initializer=_lower_priority
        )

    def __call__(self, name: str, data: bytes, options: ReadOptions, engine: ConfiguredEngine) -> FileReport:
        with self._lock:
            pool = self._pool
        try:
            return pool.submit(read_upload, name, data, options, engine).result()
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
