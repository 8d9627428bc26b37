"""Types the OCR stage produces. Immutable and JSON-serialisable."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from claim_intake.ocr import geometry
from claim_intake.ocr.quality import ImageQuality

Box = tuple[float, float, float, float]
"""x0, y0, x1, y1 in page pixels, origin top left."""

Polygon = tuple[tuple[float, float], ...]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FileKind(StrEnum):
    jpeg = "jpeg"
    png = "png"
    webp = "webp"
    bmp = "bmp"
    tiff = "tiff"
    gif = "gif"
    heic = "heic"
    pdf = "pdf"
    ofd = "ofd"
    """China's electronic document format (GB/T 33190): a zip of XML pages."""


class PageSource(StrEnum):
    text_layer = "text_layer"
    ocr = "ocr"


class Transform(Frozen):
    """One step applied before reading, recorded so that boxes map back to the upload."""

    name: str
    params: dict[str, float | int | str] = Field(default_factory=dict)
    matrix: tuple[float, ...] | None = None
    """For geometric steps: the 3x3 homography (row-major) from coordinates before to after."""


class Line(Frozen):
    text: str
    confidence: float = Field(ge=0.0, le=1.0)
    polygon: Polygon
    """Corners in the page's pixels: the page as read, after orientation, perspective and skew
    correction (for PDFs: pixels at the render resolution)."""
    box: Box
    box_norm: Box
    """``box`` divided by the page size: 0..1, independent of resolution."""
    source_polygon: Polygon
    """The same corners on the upload itself, as image viewers show it (EXIF applied)."""
    source_box: Box


class Page(Frozen):
    number: int = Field(ge=1)
    """1-based, within its file."""
    width: int
    height: int
    source_width: int
    source_height: int
    """The upload's size (a PDF page: at the render resolution)."""
    source: PageSource
    transforms: tuple[Transform, ...] = ()
    """In the order applied; the geometric ones compose into the page's frame."""
    lines: tuple[Line, ...] = ()
    unread: tuple[Box, ...] = ()
    """Ink where no text could be read (a smudge, a blur, a finger), in the page's frame."""
    rereads: tuple[Line, ...] = ()
    """Second readings of lines that mixed two print layers, on their black print alone (a name
    printed across a coloured title). Not part of ``lines``: extraction consults them where the
    lines fail it."""
    timings: dict[str, float] = Field(default_factory=dict)
    """Seconds per step (decode, ocr, ...)."""
    image_hash: str | None = None
    """The perceptual hash of an image page (``image_hash``); None for a text layer."""
    quality: ImageQuality | None = None
    """How fit a photo is to be read (None: a text layer, or not measured)."""

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def to_source(self, box: Box) -> Box:
        """A box in this page's frame -> the box on the upload that covers it."""
        matrices = [t.matrix for t in self.transforms if t.matrix is not None]
        if not matrices:
            return box
        return source_box(np.linalg.inv(geometry.compose(matrices)), box, self.source_width, self.source_height)


class EngineInfo(Frozen):
    name: str
    version: str
    models: tuple[str, ...] = ()


class ReadResult(Frozen):
    kind: FileKind
    pages: tuple[Page, ...]
    engine: EngineInfo | None
    """None when no page needed OCR (a text-layer PDF)."""
    seconds: float


def _bounds(points: np.ndarray) -> Box:
    return tuple(round(float(v), 1) for v in (*points.min(axis=0), *points.max(axis=0)))


def source_box(page_to_source: np.ndarray | None, box: Box, width: int, height: int) -> Box:
    x0, y0, x1, y1 = box
    corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)
    if page_to_source is not None:
        corners = geometry.apply(page_to_source, corners)
    corners[:, 0] = corners[:, 0].clip(0, width)
    corners[:, 1] = corners[:, 1].clip(0, height)
    return _bounds(corners)


def make_line(
    text: str,
    confidence: float,
    polygon: Polygon,
    size: tuple[int, int],
    page_to_source: np.ndarray | None = None,
    source_size: tuple[int, int] | None = None,
) -> Line:
    """A line from its polygon in page pixels; ``page_to_source`` maps back to the upload."""
    width, height = size
    points = np.asarray(polygon, dtype=np.float64)
    source_points = geometry.apply(page_to_source, points) if page_to_source is not None else points
    box = _bounds(points)
    norm = (box[0] / width, box[1] / height, box[2] / width, box[3] / height)
    return Line(
        text=text,
        confidence=max(0.0, min(1.0, confidence)),
        polygon=_rounded(points),
        box=box,
        box_norm=tuple(round(min(1.0, max(0.0, v)), 4) for v in norm),
        source_polygon=_rounded(source_points),
        source_box=source_box(page_to_source, box, *(source_size or size)),
    )


def _rounded(points: np.ndarray) -> Polygon:
    return tuple((round(float(x), 1), round(float(y), 1)) for x, y in points)


TextBox = tuple[str, float, float, float, float]
"""text, x0, y0, x1, y1 in page pixels: a line read from a document's own text, not by OCR."""


def text_layer_page(number: int, size: tuple[int, int], boxes: Iterable[TextBox], decode_seconds: float) -> Page:
    """A page read from a PDF's or OFD's text layer: certain text, upright, in its own frame."""
    width, height = size
    lines = tuple(
        make_line(text, 1.0, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)), size) for text, x0, y0, x1, y1 in boxes
    )
    return Page(
        number=number,
        width=width,
        height=height,
        source_width=width,
        source_height=height,
        source=PageSource.text_layer,
        lines=lines,
        timings={"decode": decode_seconds},
    )
