"""The access log without secrets: a follow-up link's token is a credential for one claim's
upload page, so ``/f/CLAIM/TOKEN`` is logged as ``/f/CLAIM/[redacted]`` (uvicorn's access log and
any other record that carries the path)."""

from __future__ import annotations

import logging
import re

_LINK = re.compile(r"(/f/[^/\s?]+/)[^/\s?\"]+")
REDACTED = r"\1[redacted]"


def redact(text: str) -> str:
    return _LINK.sub(REDACTED, text)


class RedactLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install() -> None:
    """Once per process (idempotent): on uvicorn's access logger."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactLinks) for f in access.filters):
        access.addFilter(RedactLinks())
