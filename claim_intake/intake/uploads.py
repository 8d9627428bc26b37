"""Upload screening, the same for every edge (the API and the claimant's page): the cheap checks
made before anything is stored. Size, then the file's kind from its bytes (never from its name),
then a name that is safe to show and to send back in a download."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from claim_intake.errors import InvalidRequestError, UnreadableFileError
from claim_intake.ocr.decode import check_size
from claim_intake.ocr.kinds import FILE_KINDS
from claim_intake.ocr.options import Limits
from claim_intake.ocr.sniff import sniff

MAX_NAME = 255
FALLBACK_NAME = "upload"


class FilePart(Protocol):
    """What FastAPI's and Starlette's ``UploadFile`` have in common."""

    filename: str | None
    size: int | None
    file: BinaryIO


@dataclass(frozen=True)
class Upload:
    """One file of a request, screened: its bytes and type, or why it was refused."""

    filename: str
    data: bytes
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


def screen(filename: str | None, data: bytes, size: int, limits: Limits) -> Upload:
    """``data`` may stop one byte past the limit: that is enough to refuse it."""
    name = safe_name(filename)
    try:
        check_size(data, limits)
        kind = sniff(data)
    except UnreadableFileError as exc:
        return Upload(filename=name, data=b"", size=size, error=exc)
    return Upload(filename=name, data=data, size=size, content_type=FILE_KINDS[kind].content_type)


def screen_files(files: list[FilePart], limits: Limits, max_files: int) -> list[Upload]:
    """Every file of a request. A request with no readable file is the caller's mistake and is
    refused with the first file's error; one bad file among good ones is the claimant's, and
    becomes an ``unreadable_file`` finding."""
    if len(files) > max_files:
        raise InvalidRequestError(f"at most {max_files} files per request")
    uploads = []
    for f in files:
        # One byte past the limit is enough to refuse the file; the rest is never read.
        data = f.file.read(limits.max_file_bytes + 1)
        uploads.append(screen(f.filename, data, f.size if f.size is not None else len(data), limits))
    if uploads and all(u.error for u in uploads):
        first = uploads[0].error
        assert first is not None
        raise type(first)(f"{uploads[0].filename}: {first.message}")
    return uploads
