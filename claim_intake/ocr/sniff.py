"""File type from the first bytes, never from the name: phones save WebP or PNG as ``.jpg``."""

from __future__ import annotations

import io
import zipfile
from typing import BinaryIO

from claim_intake.errors import EmptyFileError, UnsupportedFileTypeError
from claim_intake.ocr.models import FileKind

# PDF writers may put junk before the header; readers accept it within the first KiB.
_PDF_HEADER_WINDOW = 1024
# ISO base media brands of HEIF stills, as iPhones and many Android phones save photos.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}

_SIGNATURES: tuple[tuple[bytes, FileKind], ...] = (
    (b"\xff\xd8\xff", FileKind.jpeg),
    (b"\x89PNG\r\n\x1a\n", FileKind.png),
    (b"BM", FileKind.bmp),
    (b"II*\x00", FileKind.tiff),
    (b"MM\x00*", FileKind.tiff),
    (b"GIF87a", FileKind.gif),
    (b"GIF89a", FileKind.gif),
)


_HEAD = 4096
_CHUNK = 1 << 20


def sniff(data: bytes) -> FileKind:
    return sniff_file(io.BytesIO(data))


def _blank(source: BinaryIO, head: bytes) -> bool:
    """Nothing but whitespace, read a chunk at a time (an upload is never held whole)."""
    chunk = head
    while chunk:
        if chunk.strip():
            return False
        chunk = source.read(_CHUNK)
    return True


def sniff_file(source: BinaryIO) -> FileKind:
    """The kind of a seekable file from its first bytes (an OFD: its zip directory)."""
    source.seek(0)
    data = source.read(_HEAD)
    if _blank(source, data):
        raise EmptyFileError("the file is empty")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return FileKind.webp
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return kind
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return FileKind.heic
    if b"%PDF-" in data[:_PDF_HEADER_WINDOW]:
        return FileKind.pdf
    if data.startswith(b"PK\x03\x04") and _is_ofd(source):
        return FileKind.ofd
    raise UnsupportedFileTypeError(
        "unsupported file type: expected a photo or scan (JPEG, PNG, WebP, BMP, TIFF, GIF, "
        "HEIC), a PDF or an OFD electronic invoice"
    )


def _is_ofd(source: BinaryIO) -> bool:
    """An OFD is a zip whose root holds OFD.xml; other zips (docx, archives) are not."""
    try:
        source.seek(0)
        with zipfile.ZipFile(source) as archive:
            return any(name.lower() == "ofd.xml" for name in archive.namelist())
    except zipfile.BadZipFile:
        return False
