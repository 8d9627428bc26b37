"""Keeping a lease alive while a long job runs.

A lease that is renewed while the work goes on can be short: a reader killed mid-read (SIGKILL,
out of memory, a lost machine) stops renewing, and its document is free again within one lease,
however long reads take.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)


@contextmanager
def renewing(renew: Callable[[], bool], every_s: float) -> Iterator[None]:
    """Calls ``renew`` every ``every_s`` seconds in a background thread until the block ends.
    A failed renewal is only logged: the block's result is refused when saved (the store checks
    the holder), which is the one place where losing the lease matters."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every_s):
            try:
                if not renew():
                    log.warning("lease lost while working; the result will not be saved")
                    return
            except Exception:  # a database hiccup: the next renewal may succeed
                log.exception("lease renewal failed")

    thread = threading.Thread(target=loop, name="claim-intake-lease", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
