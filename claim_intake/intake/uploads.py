"""Upload screening, the same for every edge (the API and the claimant's page): the cheap checks
made before anything is stored. Size, then the file's kind from its bytes (never from its name),
then a name that is safe to show and to send back in a download.

Files are screened where they were spooled (``upload_form``) and stay there until stored: the
screening reads their first bytes, never the whole file into memory."""

from __future__ import annotations

import io
import os
import re
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from claim_intake.errors import FileTooLargeError, InvalidRequestError, UnreadableFileError
from claim_intake.ocr.kinds import FILE_KINDS
from claim_intake.ocr.options import Limits
from claim_intake.ocr.sniff import sniff_file

MAX_NAME = 255
FALLBACK_NAME = "upload"


class FilePart(Protocol):
    """What FastAPI's and Starlette's ``UploadFile`` have in common."""

    filename: str | None
    file: BinaryIO


@dataclass(frozen=True)
class Upload:
    """One file of a request, screened: where its bytes are and their type, or why it was refused."""

    filename: str
    source: BinaryIO | None
    """The spooled file, read from its start when stored; None for a refused file."""
    size: int
    content_type: str | None = None
    error: UnreadableFileError | None = None


def safe_name(name: str | None) -> str:
    """The last path component of what a phone or browser sent, readable and harmless: no folder,
    no ``..``, no control or format characters; ``upload`` when nothing is left."""
    last = re.split(r"[/\\]", name or "")[-1]
    cleaned = "".join(c for c in last if unicodedata.category(c)[0] != "C").strip()
    if cleaned in {"", ".", ".."}:
        return FALLBACK_NAME
    return cleaned[:MAX_NAME]


def _size(source: BinaryIO) -> int:
    return source.seek(0, os.SEEK_END)


def screen(filename: str | None, source: BinaryIO | bytes, limits: Limits) -> Upload:
    """``source`` may stop one byte past the limit (``upload_form`` cuts it there): enough to refuse it."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    name = safe_name(filename)
    size = _size(source)
    try:
        if size > limits.max_file_bytes:
            raise FileTooLargeError(f"the file is over {limits.max_file_bytes / 1e6:.1f} MB, the limit")
        kind = sniff_file(source)
    except UnreadableFileError as exc:
        return Upload(filename=name, source=None, size=size, error=exc)
    source.seek(0)
    return Upload(filename=name, source=source, size=size, content_type=FILE_KINDS[kind].content_type)


def screen_files(files: list[FilePart], limits: Limits, max_files: int) -> list[Upload]:
    """Every file of a request. A request with no readable file is the caller's mistake and is
    refused with the first file's error; one bad file among good ones is the claimant's, and
    becomes an ``unreadable_file`` finding."""
    if len(files) > max_files:
        raise InvalidRequestError(f"at most {max_files} files per request")
    uploads = [screen(f.filename, f.file, limits) for f in files]
    if uploads and all(u.error for u in uploads):
        first = uploads[0].error
        assert first is not None
        raise type(first)(f"{uploads[0].filename}: {first.message}")
    return uploads
