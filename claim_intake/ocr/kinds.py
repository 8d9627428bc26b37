"""The one list of file kinds the service accepts: each kind's content type, the name users know
it by, and how its pages are read. The reader, the API, the claimant's page and the console's
page images all look kinds up here, so a kind the reader reads is accepted everywhere."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from claim_intake.ocr.decode import PageImage, decode_image, decode_pdf
from claim_intake.ocr.models import FileKind, Page
from claim_intake.ocr.ofd import read_ofd
from claim_intake.ocr.options import ReadOptions


class Container(StrEnum):
    image = "image"
    """Pixels only: every page is OCR'd (a TIFF may hold several pages)."""
    pdf = "pdf"
    """A text layer where there is one, otherwise pages rendered and OCR'd."""
    ofd = "ofd"
    """Text objects only (GB/T 33190 e-bills): nothing to render."""


@dataclass(frozen=True)
class KindSpec:
    kind: FileKind
    label: str
    content_type: str
    extensions: tuple[str, ...]
    """What such files are usually named: file pickers offer files by these and the content type."""
    container: Container
    pages: Callable[[bytes, ReadOptions], Iterator[Page | PageImage]]


def _image(kind: FileKind) -> Callable[[bytes, ReadOptions], Iterator[PageImage]]:
    return lambda data, options: decode_image(data, kind, options.limits)


def _spec(kind: FileKind, label: str, content_type: str, extensions: str,
          container: Container = Container.image) -> KindSpec:
    pages = {Container.pdf: decode_pdf, Container.ofd: read_ofd}.get(container) or _image(kind)
    return KindSpec(kind, label, content_type, tuple(extensions.split()), container, pages)


FILE_KINDS: dict[FileKind, KindSpec] = {
    spec.kind: spec
    for spec in (
        _spec(FileKind.jpeg, "JPEG", "image/jpeg", ".jpg .jpeg"),
        _spec(FileKind.png, "PNG", "image/png", ".png"),
        _spec(FileKind.webp, "WebP", "image/webp", ".webp"),
        _spec(FileKind.bmp, "BMP", "image/bmp", ".bmp"),
        _spec(FileKind.tiff, "TIFF", "image/tiff", ".tif .tiff"),
        _spec(FileKind.gif, "GIF", "image/gif", ".gif"),
        _spec(FileKind.heic, "HEIC", "image/heic", ".heic .heif"),
        _spec(FileKind.pdf, "PDF", "application/pdf", ".pdf", Container.pdf),
        _spec(FileKind.ofd, "OFD", "application/ofd", ".ofd", Container.ofd),
    )
}



def file_input_accept() -> str:
    """An HTML file input's ``accept``: every kind, by content type and by name."""
    return ",".join([*(s.content_type for s in FILE_KINDS.values()), *(e for s in FILE_KINDS.values() for e in s.extensions)])
