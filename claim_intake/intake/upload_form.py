"""Reading an upload form as it streams in: after the caller is known, within the request's
allowance, each file spooled (in memory while the request's memory allowance lasts, then to a
temporary file) and cut one byte past the per-file limit, so that a request holds at most its
allowance in memory and an oversized file costs at most its limit in temporary disk space. The
number of files and fields is bounded as parsed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from claim_intake.errors import InvalidRequestError
from claim_intake.intake.body_limit import allow_body
from claim_intake.roster.parse import MAX_ROSTER_BYTES

if TYPE_CHECKING:
    from claim_intake.intake.settings import Settings

MAX_FIELDS = 20
MAX_FIELD_BYTES = 64 * 1024
MULTIPART_OVERHEAD = 64 * 1024
"""Headers and boundaries of a form's parts, beside the files themselves."""


@dataclass(frozen=True)
class UploadLimits:
    """What one upload request may bring: ``max_files`` files of at most ``max_file_bytes`` each,
    in a body of at most ``max_request_bytes``, of which ``memory_bytes`` are held in memory."""

    max_files: int
    max_file_bytes: int
    max_request_bytes: int
    memory_bytes: int = 1024 * 1024

    @classmethod
    def of_claims(cls, settings: Settings) -> UploadLimits:
        """Claim materials: the settings' file and request limits (API, follow-up link, member pages)."""
        return cls(settings.max_files_per_request, settings.read.limits.max_file_bytes, settings.max_request_bytes,
                   settings.upload_memory_bytes)

    def allowance(self) -> int:
        """What the request may send: its files at their limit, within the request limit."""
        return min(self.max_request_bytes, self.max_files * (self.max_file_bytes + 1) + MULTIPART_OVERHEAD)


ROSTER_UPLOAD = UploadLimits(max_files=1, max_file_bytes=MAX_ROSTER_BYTES, max_request_bytes=MAX_ROSTER_BYTES * 2)
"""A roster import (API and console): its one file."""


class _BoundedParser(MultiPartParser):
    """Starlette's multipart parser, with every file part cut one byte past ``max_file_bytes``:
    enough to refuse it as too large, while the rest of it is read off the wire and dropped.
    Each file is spooled in memory up to what is left of the request's ``memory_bytes``: a
    file spooled to disk is written through a thread hop for every chunk that arrives, where a
    file in memory is copied in at once."""

    def __init__(self, request: Request, limits: UploadLimits) -> None:
        super().__init__(request.headers, request.stream(), max_files=limits.max_files, max_fields=MAX_FIELDS,
                         max_part_size=MAX_FIELD_BYTES)
        self._cap = limits.max_file_bytes + 1
        self._file_bytes = 0
        self._memory_left = limits.memory_bytes

    def on_part_begin(self) -> None:
        super().on_part_begin()
        self._file_bytes = 0

    def on_headers_finished(self) -> None:
        self.spool_max_size = max(1, self._memory_left)  # 0 would be a spool without a limit
        super().on_headers_finished()

    def on_part_end(self) -> None:
        if self._current_part.file is not None and self._file_bytes <= self.spool_max_size:
            self._memory_left -= self._file_bytes  # it stays in memory until the request ends
        super().on_part_end()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        upload = self._current_part.file
        if upload is not None:
            end = min(end, start + max(0, self._cap - self._file_bytes))
            self._file_bytes += end - start
            if end <= start:
                return
            if self._file_bytes <= self.spool_max_size:
                # Within the memory spool: copied straight in, where Starlette would copy the
                # slice first and write it on the next turn of the parse loop.
                upload.file.write(memoryview(data)[start:end])
                upload.size = self._file_bytes
                return
        super().on_part_data(data, start, end)


@asynccontextmanager
async def upload_form(request: Request, limits: UploadLimits) -> AsyncIterator[FormData]:
    """The form of an upload request within ``limits``, its spooled files deleted when the block
    ends. Enter it only once the caller is known."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise InvalidRequestError("expected a multipart/form-data body with the files")
    allow_body(request, limits.allowance())
    try:
        form = await _BoundedParser(request, limits).parse()
    except MultiPartException as exc:
        raise InvalidRequestError(f"invalid form: {exc.message}") from exc
    # Starlette's own ``request.form()`` (the console's CSRF check) finds it parsed already.
    request._form = form
    try:
        yield form
    finally:
        await form.close()


def files_of(form: FormData, field: str = "files") -> list[UploadFile]:
    """The files of ``field``. A file input left empty still sends a part without a name: not a file."""
    return [f for f in form.getlist(field) if isinstance(f, UploadFile) and f.filename]


def text_of(form: FormData, field: str) -> str | None:
    value = form.get(field)
    if value is not None and not isinstance(value, str):
        raise InvalidRequestError(f"{field}: expected text, not a file")
    return value
