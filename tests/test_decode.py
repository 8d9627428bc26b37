"""Uploads -> pages, with an engine double so that no model runs."""

import io
import struct
import zlib

import pytest
from PIL import Image

from claim_intake.errors import (
    CorruptFileError,
    EncryptedPdfError,
    FileTooLargeError,
    TooManyPixelsError,
)
from claim_intake.ocr.models import FileKind, PageSource
from claim_intake.ocr.options import Limits, ReadOptions
from claim_intake.ocr.reader import read_bytes
from tests.conftest import CountingEngine, pdf_bytes


def _read(data: bytes, engine: CountingEngine, **options):
    return read_bytes(data, ReadOptions(**options), lambda: engine)


def test_exif_orientation_is_honoured(counting_engine: CountingEngine) -> None:
    img = Image.new("RGB", (400, 200), "white")
    exif = img.getexif()
    exif[0x0112] = 6  # rotate 90 CW to display: a phone held upright
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    result = _read(buf.getvalue(), counting_engine)
    page = result.pages[0]
    assert (page.width, page.height) == (200, 400)
    assert counting_engine.calls == [(400, 200)]
    assert [t.name for t in page.transforms] == ["exif_orientation"]


def test_transparent_png_is_read_on_white(counting_engine: CountingEngine) -> None:
    img = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    _read(buf.getvalue(), counting_engine)
    assert counting_engine.images[0].min() == 255


def test_png_named_jpg_is_read_by_content(counting_engine: CountingEngine, tmp_path) -> None:
    img = Image.new("RGB", (64, 32), "white")
    path = tmp_path / "photo.jpg"
    img.save(path, "PNG")
    result = _read(path.read_bytes(), counting_engine)
    assert result.kind is FileKind.png
    assert result.pages[0].lines[0].text == "票据代码：45060121"


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_before_decoding(counting_engine: CountingEngine) -> None:
    # 100000 x 100000 RGB would be 30 GB once decoded; the header alone must be enough to refuse.
    with pytest.raises(TooManyPixelsError):
        _read(_png_header_only(100_000, 100_000), counting_engine)
    assert counting_engine.calls == []


def test_file_size_limit(counting_engine: CountingEngine) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(buf, "BMP")
    with pytest.raises(FileTooLargeError):
        _read(buf.getvalue(), counting_engine, limits=Limits(max_file_bytes=1000))


def test_truncated_image_is_corrupt(counting_engine: CountingEngine) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (300, 300), "white").save(buf, "JPEG")
    with pytest.raises(CorruptFileError):
        _read(buf.getvalue()[:200], counting_engine)


def test_text_layer_pdf_needs_no_ocr(counting_engine: CountingEngine) -> None:
    data = pdf_bytes(["住院费用明细清单", "姓名：张三  住院号：123456", "合计：1234.50"])
    result = _read(data, counting_engine)
    page = result.pages[0]
    assert page.source is PageSource.text_layer
    assert counting_engine.calls == []
    assert result.engine is None
    assert "合计：1234.50" in page.text
    # Boxes are in pixels at the render resolution: A4 at 150 dpi is 1240 x 1754.
    assert (page.width, page.height) == (1240, 1754)
    assert all(0 <= v <= 1 for line in page.lines for v in line.box_norm)


def test_image_only_pdf_is_rendered_and_ocred(counting_engine: CountingEngine) -> None:
    result = _read(pdf_bytes(None, image=True), counting_engine)
    assert result.pages[0].source is PageSource.ocr
    ((height, width),) = counting_engine.calls
    assert (height, abs(width - 1240) <= 1) == (1754, True)  # A4 at 150 dpi
    assert result.engine == counting_engine.info


def test_encrypted_pdf(counting_engine: CountingEngine) -> None:
    with pytest.raises(EncryptedPdfError) as err:
        _read(pdf_bytes(["保密"], password="secret"), counting_engine)
    assert err.value.to_dict() == {
        "code": "unreadable_file",
        "reason": "encrypted_pdf",
        "message": err.value.message,
    }


def test_corrupt_pdf(counting_engine: CountingEngine) -> None:
    with pytest.raises(CorruptFileError):
        _read(b"%PDF-1.7\n garbage that is not a PDF", counting_engine)


def test_an_ofd_part_that_inflates_past_its_bound_is_refused_unread() -> None:
    import io
    import zipfile

    from materials import ofd_invoice

    from claim_intake.errors import CorruptFileError
    from claim_intake.ocr.ofd import MAX_XML_BYTES, read_ofd
    from claim_intake.ocr.options import ReadOptions

    assert list(read_ofd(ofd_invoice(), ReadOptions()))  # a real one reads
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", b"<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'>" + b" " * (MAX_XML_BYTES + 1))
    assert len(buf.getvalue()) < 100_000  # a few KB that would inflate to 16 MB of XML
    with pytest.raises(CorruptFileError, match="implausible"):
        list(read_ofd(buf.getvalue(), ReadOptions()))
