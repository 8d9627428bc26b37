"""The local folder store: content-addressed, written in one pass, never half an object."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from claim_intake.errors import StorageUnavailableError
from claim_intake.intake.store.objects import LocalStore


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_an_upload_is_stored_under_its_sha256_once(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "objects")  # not there yet: made by the first upload
    data = b"%PDF-1.4 " + bytes(range(256)) * 5000  # over one read chunk

    key = store.put_file(io.BytesIO(data))
    again = store.put_file(io.BytesIO(data))

    assert key == again == hashlib.sha256(data).hexdigest()
    assert store.get(key) == data
    assert _files(tmp_path) == [tmp_path / "objects" / key[:2] / key[2:4] / key]  # no file left aside


def test_a_failed_upload_leaves_nothing_behind(tmp_path: Path) -> None:
    class Broken(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            if self.tell():
                raise OSError("the spooled upload went away")
            return super().read(size)

    store = LocalStore(tmp_path)
    with pytest.raises(StorageUnavailableError):
        store.put_file(Broken(b"x" * (3 << 20)))
    assert _files(tmp_path) == []


def test_put_as_replaces_only_when_asked(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    key = store.put(b"first")

    store.put_as(key, io.BytesIO(b"sealed first"))
    assert store.get(key) == b"first"
    store.put_as(key, io.BytesIO(b"sealed first"), replace=True)  # re-encryption rewrites it
    assert store.get(key) == b"sealed first"
    assert len(_files(tmp_path)) == 1
