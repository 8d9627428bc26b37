"""Types the OCR stage produces. Immutable and JSON-serialisable."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

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
    pdf = "pdf"


class PageSource(StrEnum):
    text_layer = "text_layer"
    ocr = "ocr"


class Transform(Frozen):
    """One geometric step applied before reading, recorded so boxes map back to the upload."""

    name: str
    params: dict[str, float | int | str] = Field(default_factory=dict)


class Line(Frozen):
    text: str
    confidence: float = Field(ge=0.0, le=1.0)
    polygon: Polygon
    """Corners in the page's pixels (for PDFs: pixels at the page's render resolution)."""
    box: Box
    box_norm: Box
    """``box`` divided by the page size: 0..1, independent of resolution."""


class Page(Frozen):
    number: int = Field(ge=1)
    """1-based, within its file."""
    width: int
    height: int
    source: PageSource
    transforms: tuple[Transform, ...] = ()
    lines: tuple[Line, ...] = ()
    timings: dict[str, float] = Field(default_factory=dict)
    """Seconds per step (decode, ocr, ...)."""

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


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


def make_line(text: str, confidence: float, polygon: Polygon, width: int, height: int) -> Line:
    xs = [p[0] for p in polygon]
    ys = [p[1] for p in polygon]
    box = (min(xs), min(ys), max(xs), max(ys))
    norm = (box[0] / width, box[1] / height, box[2] / width, box[3] / height)
    return Line(
        text=text,
        confidence=max(0.0, min(1.0, confidence)),
        polygon=polygon,
        box=tuple(round(v, 1) for v in box),
        box_norm=tuple(round(min(1.0, max(0.0, v)), 4) for v in norm),
    )
