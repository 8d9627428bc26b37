"""Locating the CJK fonts that the renderers draw with."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from PIL import ImageFont

from claim_intake.errors import ConfigurationError

Face = Literal["sans", "sans_bold", "serif", "serif_bold"]

_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
_WQY = "wqy-zenhei.ttc"
# The Noto CJK collections hold one face per region; the SC face has the mainland glyph shapes
# that real bills are printed with, so it is picked by name rather than by a fixed index.
_CANDIDATES: dict[Face, tuple[str, ...]] = {
    "sans": ("NotoSansCJK-Regular.ttc", _WQY),
    "sans_bold": ("NotoSansCJK-Bold.ttc", "NotoSansCJK-Regular.ttc", _WQY),
    "serif": ("NotoSerifCJK-Regular.ttc", "NotoSansCJK-Regular.ttc", _WQY),
    "serif_bold": ("NotoSerifCJK-Bold.ttc", "NotoSansCJK-Bold.ttc", _WQY),
}


class FontsMissingError(ConfigurationError):
    """No CJK font is installed where the renderers look."""

    code = "fonts_missing"

    def __init__(self, wanted: str) -> None:
        super().__init__(
            f"no CJK font found for {wanted!r} under {', '.join(map(str, _FONT_DIRS))}; "
            "install the Debian packages fonts-noto-cjk and fonts-wqy-zenhei"
        )


@cache
def _find(filename: str) -> Path | None:
    for root in _FONT_DIRS:
        if root.is_dir():
            for path in sorted(root.rglob(filename)):
                return path
    return None


def _simplified_index(path: Path) -> int:
    """The index of the 'SC' face in a Noto CJK collection (0 for single-region files)."""
    for index in range(16):
        try:
            family, _style = ImageFont.truetype(str(path), 10, index=index).getname()
        except OSError:
            break
        if family.endswith(" CJK SC"):
            return index
    return 0


@cache
def _face_file(face: Face) -> tuple[Path, int]:
    for filename in _CANDIDATES[face]:
        path = _find(filename)
        if path is not None:
            return path, _simplified_index(path)
    raise FontsMissingError(face)


@cache
def font(face: Face, size: int) -> ImageFont.FreeTypeFont:
    """A PIL font for ``face`` at ``size`` pixels."""
    path, index = _face_file(face)
    return ImageFont.truetype(str(path), size, index=index)


def pdf_font_file() -> tuple[Path, int]:
    """The TrueType collection and face index for PDFs.

    reportlab embeds only TrueType outlines; the Noto CJK collections are CFF, so PDFs use
    WenQuanYi Zen Hei.
    """
    path = _find(_WQY)
    if path is None:
        raise FontsMissingError("pdf (wqy-zenhei)")
    return path, 0
