"""Upload screening, shared by the API and the claimant's page: names, sizes, kinds."""

from __future__ import annotations

import pytest

from claim_intake.intake.uploads import safe_name, screen
from claim_intake.ocr.options import Limits


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("发票.jpg", "发票.jpg"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\li\\Desktop\\出院小结.pdf", "出院小结.pdf"),
        ("/var/mobile/IMG_0001.HEIC", "IMG_0001.HEIC"),
        ("bad\x00na\x1bme\u202e.pdf", "badname.pdf"),
        ("..", "upload"),
        ("photos/", "upload"),
        ("", "upload"),
        (None, "upload"),
        ("  \t ", "upload"),
    ],
)
def test_only_a_safe_last_path_component_is_kept(sent: str | None, kept: str) -> None:
    assert safe_name(sent) == kept


def test_long_names_are_cut() -> None:
    assert safe_name("长" * 300 + ".jpg") == "长" * 255


def test_the_kind_comes_from_the_bytes_not_the_name() -> None:
    upload = screen("invoice.jpg", b"%PDF-1.4 ...", Limits())
    assert upload.error is None and upload.content_type == "application/pdf"


def test_too_large_and_unknown_files_are_refused_with_their_reason() -> None:
    too_large = screen("big.pdf", b"%PDF-1.4" + b"x" * 100, Limits(max_file_bytes=50))
    unknown = screen("note.txt", b"hello", Limits())
    assert too_large.error is not None and too_large.error.to_dict()["reason"] == "file_too_large"
    assert unknown.error is not None and unknown.error.to_dict()["reason"] == "unsupported_file_type"
    assert too_large.source is None and unknown.source is None


def test_every_kind_the_sniffer_knows_has_its_content_type_and_reader() -> None:
    from claim_intake.ocr.kinds import FILE_KINDS
    from claim_intake.ocr.models import FileKind

    assert set(FILE_KINDS) == set(FileKind)
    assert len({spec.content_type for spec in FILE_KINDS.values()}) == len(FileKind)
