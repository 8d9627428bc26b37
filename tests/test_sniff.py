import io

import pytest
from PIL import Image

from claim_intake.errors import EmptyFileError, UnsupportedFileTypeError
from claim_intake.ocr.models import FileKind
from claim_intake.ocr.sniff import sniff


def _image(fmt: str, mode: str = "RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, (8, 8), "white").save(buf, fmt)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("fmt", "kind"),
    [
        ("JPEG", FileKind.jpeg),
        ("PNG", FileKind.png),
        ("WEBP", FileKind.webp),
        ("BMP", FileKind.bmp),
        ("TIFF", FileKind.tiff),
        ("GIF", FileKind.gif),
        ("PDF", FileKind.pdf),
    ],
)
def test_sniffs_from_bytes(fmt: str, kind: FileKind) -> None:
    assert sniff(_image(fmt)) is kind


def test_pdf_header_after_leading_junk() -> None:
    assert sniff(b"\r\n\x00junk" + _image("PDF")) is FileKind.pdf


@pytest.mark.parametrize("data", [b"", b"   \n"])
def test_empty(data: bytes) -> None:
    with pytest.raises(EmptyFileError) as err:
        sniff(data)
    assert err.value.to_dict()["code"] == "unreadable_file"
    assert err.value.to_dict()["reason"] == "empty_file"


@pytest.mark.parametrize("data", [b"PK\x03\x04docx-or-zip", b"hello, world", b"\x00\x01\x02\x03"])
def test_unsupported(data: bytes) -> None:
    with pytest.raises(UnsupportedFileTypeError) as err:
        sniff(data)
    assert err.value.code == "unsupported_file_type"
