"""Reading an upload form as it streams in: after the caller is known, within the request's
allowance, each file spooled to a temporary file (memory up to 1 MiB, then disk) and cut one byte
past the per-file limit, so that no file is ever held whole in memory and an oversized one costs
at most its limit in temporary disk space. The number of files and fields is bounded as parsed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from claim_intake.errors import InvalidRequestError
from claim_intake.intake.body_limit import allow_body

if TYPE_CHECKING:
    from claim_intake.intake.settings import Settings

MAX_FIELDS = 20
MAX_FIELD_BYTES = 64 * 1024
MULTIPART_OVERHEAD = 64 * 1024
"""Headers and boundaries of a form's parts, beside the files themselves."""


def request_allowance(max_files: int, max_file_bytes: int, max_request_bytes: int) -> int:
    """What one upload request may send: its files at their limit, within the request limit."""
    return min(max_request_bytes, max_files * (max_file_bytes + 1) + MULTIPART_OVERHEAD)


class _BoundedParser(MultiPartParser):
    """Starlette's multipart parser, with every file part cut one byte past ``max_file_bytes``:
    enough to refuse it as too large, while the rest of it is read off the wire and dropped."""

    def __init__(self, request: Request, *, max_files: int, max_file_bytes: int) -> None:
        super().__init__(request.headers, request.stream(), max_files=max_files, max_fields=MAX_FIELDS,
                         max_part_size=MAX_FIELD_BYTES)
        self._cap = max_file_bytes + 1
        self._file_bytes = 0

    def on_part_begin(self) -> None:
        super().on_part_begin()
        self._file_bytes = 0

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._current_part.file is not None:
            end = min(end, start + max(0, self._cap - self._file_bytes))
            self._file_bytes += end - start
            if end <= start:
                return
        super().on_part_data(data, start, end)


async def read_upload_form(request: Request, *, max_files: int, max_file_bytes: int,
                           max_request_bytes: int) -> FormData:
    """The form of an upload request whose caller has been authenticated. The caller closes it
    (``await form.close()``), which deletes the spooled files."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise InvalidRequestError("expected a multipart/form-data body with the files")
    allow_body(request, request_allowance(max_files, max_file_bytes, max_request_bytes))
    try:
        form = await _BoundedParser(request, max_files=max_files, max_file_bytes=max_file_bytes).parse()
    except MultiPartException as exc:
        raise InvalidRequestError(f"invalid form: {exc.message}") from exc
    # Starlette's own ``request.form()`` (the console's CSRF check) finds it parsed already.
    request._form = form
    return form


@asynccontextmanager
async def claim_upload_form(request: Request, settings: Settings) -> AsyncIterator[FormData]:
    """The form of a claim's upload (claim materials: the settings' file and request limits),
    its spooled files deleted when the block ends. Enter it only once the caller is known."""
    form = await read_upload_form(request, max_files=settings.max_files_per_request,
                                  max_file_bytes=settings.read.limits.max_file_bytes,
                                  max_request_bytes=settings.max_request_bytes)
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
